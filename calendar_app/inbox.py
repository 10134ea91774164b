"""Received iTIP, applied to one person's agenda (RFC 5546 §3.2): a REQUEST puts the event in
the attendee's agenda, waiting for their answer; a CANCEL removes it (or the one occurrence);
a REPLY sets the answering attendee's status in the organiser's event. Only the organiser may
change or cancel an event; a REPLY changes its sender's own status only. Each message is
applied once and in order: an older or the same (SEQUENCE, DTSTAMP) changes nothing.

This is the interface delivery calls (mail/pipeline/stages/invitations.py): ``calendar_part``,
``receive_later``, which queues ``receive`` for the worker, and ``functional_later`` for a
functional mailbox with a calendar, whose service account has the mailbox's address."""

import logging
import time
from contextlib import contextmanager
from datetime import datetime
from email.message import EmailMessage

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from calendar_app import (
    edits,
    ical,
    index_rows,
    itip,
    mirror,
    new_invitations,
    services,
    share_access,
    window,
)
from calendar_app.models import FunctionalCalendar, IndexedEvent, ReceivedItip, ScheduledEvent
from convergence.claims import unclaimed
from convergence.queueing import enqueue_on_commit
from dav import storage_writes
from dav.client import DavConflict, DavNotFound, Resource, dav_session

logger = logging.getLogger(__name__)
CALENDAR_TYPES = ("text/calendar", "application/ics")
TASK = "calendar_app.tasks.receive_imip"
MAX_PART_BYTES = 1_000_000
CLAIM_POLL = 0.05  # seconds between looks at a claimed row
BATCH = 25  # attendees of one message per task: read once, spread over the worker's threads


def calendar_part(message: EmailMessage) -> bytes | None:
    """The first calendar part of a message (iMIP puts it beside the text, or attaches it)."""
    for depth, part in enumerate(message.walk()):
        if depth > 50:
            return None
        if part.get_content_type() in CALENDAR_TYPES:
            try:
                data = part.get_payload(decode=True)
            except Exception:  # a broken transfer encoding: no calendar to read
                return None
            return data[:MAX_PART_BYTES] if isinstance(data, bytes) else None
    return None


class Located:
    def __init__(self, calendar: str, href: str, etag: str, parsed):
        self.calendar, self.href, self.etag, self.parsed = calendar, href, etag, parsed


class Agenda:
    """One person's calendars, and the change count of each whose index holds every change
    (read before the rows: a copy written after this is then either in them or asked for)."""

    def __init__(self, user):
        self.names = [c.name for c in services.calendars_of(user)]
        self.current = index_rows.current_versions(user, self.names)


def locate(user, uid: str, agenda: Agenda | None = None) -> Located | None:
    """The person's copy of the event ``uid``: where the index says, else where we write it.
    A calendar whose index holds every change is not asked where we write it: its rows
    would say so (a new invitation is found in no calendar without a request)."""
    agenda = agenda or Agenda(user)
    places = list(IndexedEvent.objects.filter(owner=user, uid=uid[:300])  # the row's length
                  .values_list("collection", "href")[:3])  # fmt: skip
    places += [(name, ical.href_for(uid)) for name in agenda.names if name not in agenda.current]
    if not places:
        return None
    with dav_session(user.username) as store:
        for collection, href in places:
            if collection not in agenda.names:
                continue
            try:
                resource = store.get(collection, href)
                parsed = ical.parse(resource.text)
            except (DavNotFound, ical.BadCalendarData):
                continue
            if any(str(e.get("UID", "")) == uid for e in itip.events(parsed)):
                return Located(collection, href, resource.etag, parsed)
    return None


@contextmanager
def _in_order(user, received: itip.Received, attendee: str = ""):
    """One iTIP message per event (and attendee) at a time, applied only if newer than the
    last one applied: (SEQUENCE, DTSTAMP). The caller sets ``applied``; only then is it
    recorded, so a refused forgery with a huge SEQUENCE blocks nothing.

    One at a time by a claim on the event's row, not a transaction held while the message is
    applied: on SQLite a transaction locks the whole file, and Radicale's hook writes to it
    before it answers our PUT (dav/changes.py), so every other booking or delivery waited
    on that request, then failed with «database is locked»."""
    row, claim = _claim(user, received.uid, attendee)
    turn = _Turn((received.sequence, received.dtstamp) > (row.sequence, row.dtstamp))
    try:
        yield turn
    finally:
        done = {"claimed_until": None}
        if turn.applied:
            done.update(sequence=received.sequence, dtstamp=received.dtstamp)
        ReceivedItip.objects.filter(pk=row.pk, claimed_until=claim).update(**done)


def _claim(user, uid: str, attendee: str) -> tuple[ReceivedItip, datetime]:
    """The event's row, claimed in one write (on SQLite each write waits its turn for the
    whole file): waits while another message of the event is being applied, at most until
    that claim lapses."""
    key = {"owner": user, "uid": uid, "attendee": attendee}
    while True:
        now = timezone.now()
        claim = now + ReceivedItip.CLAIM
        # Looked for first: an invitation's row is new, and an update that finds no row
        # would still wait for the file, as any write does on SQLite.
        if not ReceivedItip.objects.filter(**key).exists():
            try:
                with transaction.atomic():
                    return ReceivedItip.objects.create(**key, sequence=-1, dtstamp="",
                                                       claimed_until=claim), claim  # fmt: skip
            except IntegrityError:  # created meanwhile by another message of the event
                continue
        if ReceivedItip.objects.filter(unclaimed(now), **key).update(claimed_until=claim):
            return ReceivedItip.objects.get(**key), claim
        time.sleep(CLAIM_POLL)


class _Turn:
    def __init__(self, newer: bool):
        self.newer, self.applied = newer, False


def receive_later(user_ids: list[int], sender: str, data: bytes) -> None:
    """For delivery: applied by the worker (retried while the agenda is down), so that a
    message to 200 colleagues is stored without waiting for 200 agendas; read once for
    each BATCH of them."""
    text = data.decode("utf-8", "replace")
    for first in range(0, len(user_ids), BATCH):
        enqueue_on_commit(TASK, user_ids[first:first + BATCH], sender, text)


def functional_later(mailbox_id: int, sender: str, data: bytes) -> None:
    """iTIP mailed to a functional mailbox goes to its calendar, whose service account has
    the mailbox's address (calendar_app.functional): an invitation to the mailbox waits there
    for its managers' answer, an answer to the calendar's own invitation reaches its event.
    A mailbox without a calendar keeps the message only."""
    account = FunctionalCalendar.objects.filter(mailbox_id=mailbox_id).values_list(
        "account_id", flat=True).first()  # fmt: skip
    if account is not None:
        receive_later([account], sender, data)


def receive(user, sender: str, data: bytes | str) -> str:
    """Applies one iTIP object mailed by ``sender`` (an address delivery has checked) to
    ``user``'s agenda; returns what happened, for the log and the tests."""
    (result,) = receive_for([user], sender, data)
    return result


def receive_for(users: list, sender: str, data: bytes | str) -> list[str]:
    """``receive`` for each of ``users``, the object read once."""
    try:
        received = itip.read(data)
    except ical.BadCalendarData:
        return ["unreadable" for _user in users]
    added = new_invitations.add(users, sender, received)
    return [added.get(user.pk) or _receive(user, sender, received) for user in users]


def _receive(user, sender: str, received: itip.Received) -> str:
    me = user.email.lower()
    if received.method in ("REQUEST", "CANCEL"):
        if received.organizer != sender or received.organizer == me:
            return "not-from-organizer"
        if me not in {p.email for p in received.attendees}:
            return "not-invited"
        with _in_order(user, received) as turn:
            if not turn.newer:
                return "already-applied"
            agenda = Agenda(user)
            copy = locate(user, received.uid, agenda)
            if copy is not None and itip.organizer_of(itip.first_event(copy.parsed)) != sender:
                return "not-from-organizer"
            apply = _request if received.method == "REQUEST" else _cancel
            result = apply(user, received, copy, agenda)
            turn.applied = True
            return result
    if received.method == "REPLY":
        return _reply(user, sender, received)
    return "nothing-to-apply"  # PUBLISH, COUNTER, REFRESH: shown in the message only


def _request(user, received: itip.Received, copy: Located | None, agenda: Agenda) -> str:
    me = user.email.lower()
    incoming = ical.wrap(*received.calendar.subcomponents)
    if copy is not None:
        old_answer = itip.partstat_of(itip.first_event(copy.parsed), me)
        same_version = itip.sequence_of(itip.first_event(copy.parsed)) == received.sequence
        if received.recurrence_id and "RRULE" in itip.first_event(copy.parsed):
            incoming = _with_exception(copy.parsed, received)
    with itip.own_lines_kept(incoming, me):
        for component in itip.events(incoming):
            keep = copy is not None and same_version and old_answer in itip.ANSWERS
            itip.set_partstat(component, me, old_answer if keep else "NEEDS-ACTION")
        if copy is not None and same_version and _seen(incoming) == _seen(copy.parsed):
            # Nothing new (the mail of an invitation already in the agenda, as an internal
            # one is): not rewritten, so an answer being given meanwhile is not refused, and
            # the attendee's own alarms stay.
            return "unchanged"
        if copy is not None:
            _write(user, agenda, copy.calendar, copy.href, incoming, etag=copy.etag)
            return "updated"
        # A copy the index did not know yet: replaced.
        _write(user, agenda, agenda.names[0], ical.href_for(received.uid), incoming, etag=None)
        return "added"


def _write(user, agenda: Agenda, calendar: str, href: str, parsed, *, etag: str | None) -> None:
    """The copy into the store, then what the sync the hook queues would do: the filtered
    copies follow, and the index takes it at once, as the web's own writes. That sync then
    has nothing left (no iMIP to send for someone else's event), unless something else
    changed meanwhile. Written into Radicale's storage where the worker shares it (no hook
    runs then: its sync is queued here if the index could not take the copy)."""
    text = ical.serialize(parsed)
    direct = storage_writes.enabled()
    if direct:
        etag = storage_writes.put(user.username, calendar, href, text, etag=etag,
                                  replace=etag is None)  # fmt: skip
    else:
        with dav_session(user.username) as store:
            if etag is None:
                etag = store.replace(calendar, href, text)
            else:
                etag = store.put(calendar, href, text, etag=etag)
    resource = Resource(href, etag, text)
    mirror.after_sync(user, calendar, [resource], [])
    event = itip.first_event(parsed)
    quiet = not ScheduledEvent.may_send(user, str(event.get("UID", "")), itip.organizer_of(event))
    indexed = index_rows.apply_own_write(user, calendar, agenda.current.get(calendar),
                                         [resource], [], {href: parsed}, settled=quiet)
    if direct and not indexed:
        enqueue_on_commit(window.TASK, user.username, calendar)  # what the hook queues


def _seen(calendar) -> tuple:
    """What an attendee's copy says (DTSTAMP and alarms aside): the event and its people."""
    return itip.fingerprint(calendar), [
        (itip.organizer_of(e), sorted(itip.attendees_of(e), key=lambda p: p.email))
        for e in itip.events(calendar)]  # fmt: skip


def _with_exception(stored, received: itip.Received):
    """One occurrence changed (a REQUEST with RECURRENCE-ID): it replaces that occurrence."""
    kept = [c for c in stored.subcomponents if not (
        c.name == "VEVENT" and c.get("RECURRENCE-ID") is not None
        and ical.recurrence_key(c["RECURRENCE-ID"].dt) == received.recurrence_id)]  # fmt: skip
    stored.subcomponents = kept + itip.events(received.calendar)
    return stored


def _cancel(user, received: itip.Received, copy: Located | None, agenda: Agenda) -> str:
    if copy is None:
        return "nothing-to-cancel"
    if received.recurrence_id and "RRULE" in itip.first_event(copy.parsed):
        edits.delete_this(copy.parsed, received.recurrence_id)
        _write(user, agenda, copy.calendar, copy.href, copy.parsed, etag=copy.etag)
        return "occurrence-cancelled"
    with dav_session(user.username) as store:
        store.delete(copy.calendar, copy.href, etag=copy.etag)
    # The sync's work left to it: a deletion may have to send a CANCEL (calendar_app.scheduling).
    index_rows.apply_own_write(user, copy.calendar, agenda.current.get(copy.calendar), [],
                               [copy.href])  # fmt: skip
    return "cancelled"


def receive_reply(user, sender: str, received: itip.Received) -> str:
    """A REPLY built here (a room's answer, calendar_app.rooms), applied as ``receive``
    applies a mailed one, without its text written and read again."""
    return _reply(user, sender, received)


def _reply(user, sender: str, received: itip.Received) -> str:
    answering = [p for p in received.attendees if p.email == sender] or [
        p for p in received.attendees if _delegate_of(p.email, sender, received)]
    if not answering or answering[0].partstat not in (*itip.ANSWERS, "NEEDS-ACTION"):
        return "not-from-attendee"
    attendee = answering[0]
    with _in_order(user, received, attendee.email) as turn:
        if not turn.newer:
            return "already-applied"
        result = _set_answer(user, received, attendee)
        turn.applied = result == "answer-recorded"
        return result


def _delegate_of(attendee: str, sender: str, received: itip.Received) -> bool:
    """A REPLY sent by a delegate for an attendee (SENT-BY): believed only when both are our
    accounts and the delegation is in force now (an outside SENT-BY cannot be checked)."""
    if itip.sent_by_of(received.event, attendee) != sender:
        return False
    people = {u.email.lower(): u for u in get_user_model().objects.filter(
        email__in=[attendee, sender], is_active=True)}  # fmt: skip
    return len(people) == 2 and share_access.delegates(people[attendee], people[sender])


def _set_answer(user, received: itip.Received, attendee: itip.Person) -> str:
    for _attempt in range(3):  # the organiser may be changing the event at the same moment
        event = locate(user, received.uid)
        if event is None:
            return "unknown-event"
        master = itip.first_event(event.parsed)
        if itip.organizer_of(master) != user.email.lower():
            return "not-organizer"
        targets = [
            c
            for c in itip.events(event.parsed)
            if not received.recurrence_id
            or (
                c.get("RECURRENCE-ID") is not None
                and ical.recurrence_key(c["RECURRENCE-ID"].dt) == received.recurrence_id
            )
        ]
        changed = [itip.set_partstat(c, attendee.email, attendee.partstat)
                   for c in targets or [master]]  # fmt: skip
        if not any(changed):
            return "not-invited"
        try:
            with dav_session(user.username) as store:
                store.put(event.calendar, event.href, ical.serialize(event.parsed),
                          etag=event.etag)  # fmt: skip
        except DavConflict:
            continue
        return "answer-recorded"
    return "conflict"
