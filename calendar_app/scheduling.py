"""The organiser's side of iTIP, run by the hook's task after each change of a collection, so
that an event saved on the web and one made on a phone send the same mails: a new event with
attendees sends REQUEST, a change of its time, place or title an update (SEQUENCE + 1), a
removed attendee and a deleted or cancelled event CANCEL. Answers (PARTSTAT) send nothing."""

import logging

from django.db import transaction

from calendar_app import ical, imip, index_rows, itip
from calendar_app.models import ScheduledEvent
from dav import read_only
from dav.client import DavNotFound, Resource, dav_session

logger = logging.getLogger(__name__)


def after_sync(owner, collection: str, changed: list[Resource], deleted: list[str],
               applied: index_rows.Applied) -> None:  # fmt: skip
    """``applied``: what the index made of the changes. A resource is parsed once there (a
    copy of an invitation to 200 people takes about 10 ms), and one whose version it
    already held is parsed here only if it may send."""
    for resource in changed:
        calendar = applied.read.get(resource.href)
        if calendar is None and resource.href in applied.held:
            uid, organizer = applied.held[resource.href]
            if organizer is not None and not ScheduledEvent.may_send(owner, uid, organizer):
                continue
            try:
                calendar = ical.parse(resource.text)
            except ical.BadCalendarData:
                continue
        if calendar is None:
            continue
        try:
            event = itip.first_event(calendar)
        except ical.BadCalendarData:
            continue
        if not ScheduledEvent.may_send(owner, _uid(event), itip.organizer_of(event)):
            # Someone else's event never sent from here (an invitation received): nothing to
            # send, so no transaction, which on SQLite waits for the whole file.
            continue
        with transaction.atomic():
            _changed(owner, collection, resource.href, calendar, event)
    for href in deleted:
        _deleted(owner, collection, href)


def _organised_by(owner, event) -> bool:
    return itip.organizer_of(event) == owner.email.lower()


def _uid(event) -> str:
    return str(event.get("UID", ""))[:300]


def _changed(owner, collection: str, href: str, calendar, event) -> None:
    uid = _uid(event)
    row = ScheduledEvent.objects.select_for_update().filter(owner=owner, uid=uid).first()
    mine = _organised_by(owner, event)
    invited = [p.email for p in itip.attendees_of(event) if p.email != owner.email.lower()]
    cancelled = str(event.get("STATUS", "")).upper() == "CANCELLED"
    if row is None:
        if not mine or not invited or cancelled:
            return  # someone else's invitation, a private event, or cancelled before sent
        sequence = itip.sequence_of(event)
        imip.queue(owner, "REQUEST", itip.outgoing(calendar, "REQUEST", sequence=sequence),
                   invited)  # fmt: skip
        ScheduledEvent.objects.create(
            owner=owner, uid=uid, collection=collection, href=href, sequence=sequence,
            fingerprint=itip.fingerprint(calendar), attendees=invited,
            sent=ical.serialize(calendar))  # fmt: skip
        return
    if not mine or not invited or cancelled:  # no attendees left, or the event cancelled
        _cancel(owner, row, row.attendees)
        row.delete()
        return
    fingerprint = itip.fingerprint(calendar)
    removed = [a for a in row.attendees if a not in invited]
    added = [a for a in invited if a not in row.attendees]
    sequence = max(itip.sequence_of(event), row.sequence)
    if fingerprint != row.fingerprint:
        sequence = max(sequence, row.sequence + 1)
        imip.queue(owner, "REQUEST", itip.outgoing(calendar, "REQUEST", sequence=sequence),
                   invited, update=True)  # fmt: skip
    elif added:
        imip.queue(owner, "REQUEST", itip.outgoing(calendar, "REQUEST", sequence=sequence),
                   added)  # fmt: skip
    if removed:
        _cancel(owner, row, removed, sequence=sequence)
    row.collection, row.href, row.sequence = collection, href, sequence
    row.fingerprint, row.attendees, row.sent = fingerprint, invited, ical.serialize(calendar)
    row.save()


def _cancel(owner, row: ScheduledEvent, attendees: list[str], sequence: int | None = None):
    try:
        calendar = ical.parse(row.sent)
    except ical.BadCalendarData:
        return
    sequence = row.sequence + 1 if sequence is None else sequence
    imip.queue(owner, "CANCEL", itip.outgoing(calendar, "CANCEL", sequence=sequence,
                                              attendees=attendees), attendees)  # fmt: skip


def _deleted(owner, collection: str, href: str) -> None:
    here = ScheduledEvent.objects.filter(owner=owner, collection=collection, href=href)
    if not here.exists():
        return
    # Asked of the store outside the transaction: on SQLite one locks the whole file.
    moved = _moved_to(owner, collection, href)
    with transaction.atomic():
        row = here.select_for_update().first()
        if row is None:
            return
        if moved is not None:
            row.collection = moved
            row.save(update_fields=["collection"])
            return
        _cancel(owner, row, row.attendees)
        row.delete()


def _moved_to(owner, collection: str, href: str) -> str | None:
    """«Déplacer vers un autre agenda» writes the event there, then deletes it here: no
    CANCEL for that."""
    with dav_session(owner.username) as store:
        for other in store.calendars():
            if other.name == collection or read_only.is_mirror(other.name):
                continue  # a shared calendar's filtered copy is not a place to move to
            try:
                store.get(other.name, href)
            except DavNotFound:
                continue
            return other.name
    return None
