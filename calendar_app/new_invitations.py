"""An invitation new to the attendees of a batch (delivery hands the worker a message to 200
colleagues 25 at a time, calendar_app.inbox), put in their agendas for the whole batch at once:
one claim, one reading of their agendas, the copies written under one taking of Radicale's
lock (dav/storage_writes.py), one index write. Per attendee only the copy's text and its file
remain; one by one, each cost about twenty queries (docs/benchmarks.md).

Only where nothing needs a person's own look: the event new to them (no message of it
applied, not in their index), every calendar of theirs indexed up to its last change (the
index saying «nowhere» is then the truth), and the worker writing into Radicale's storage.
``inbox`` applies the message one by one to everyone else, and to anyone whose copy could not
be written here; a copy written but not indexed is left to the sync, as the hook would."""

import re

from django.db import IntegrityError, transaction
from django.utils import timezone
from icalendar import vCalAddress
from icalendar.parser import Contentline, Parameters

from calendar_app import ical, index_rows, itip, mirror, services, share_access, window
from calendar_app.models import IndexedEvent, ReceivedItip, ScheduledEvent
from convergence.queueing import enqueue_on_commit
from dav import storage_writes
from dav.client import DavUnavailable, Resource


def add(users: list, sender: str, received: itip.Received) -> dict[int, str]:
    """The REQUEST ``received`` from ``sender`` (its organiser) into the agenda of each of
    ``users`` it is new to; {person's id: "added"} for those done here."""
    if received.method != "REQUEST" or received.organizer != sender or (
            not storage_writes.enabled()):  # fmt: skip
        return {}
    invited = {person.email for person in received.attendees} - {sender}
    people = [user for user in users if user.email.lower() in invited]
    names = services.calendar_names_of(people) if people else {}
    current = index_rows.current_versions_of(people, names) if people else {}
    claims = _claim([user for user in _new_to(people, received.uid)
                     if names[user.pk] and all((user.pk, n) in current for n in names[user.pk])],
                    received.uid)  # fmt: skip
    added = set()
    try:
        added = _add(list(claims), received, names, current)
    finally:
        _release(claims, added, received)
    return dict.fromkeys(added, "added")


def _new_to(users: list, uid: str) -> list:
    """Those with no message of the event applied nor its copy in their index."""
    if not users:
        return []
    known = set(ReceivedItip.objects.filter(owner__in=users, uid=uid, attendee="")
                .values_list("owner_id", flat=True))  # fmt: skip
    known.update(IndexedEvent.objects.filter(owner__in=users, uid=uid[:300])
                 .values_list("owner_id", flat=True))  # fmt: skip
    return [user for user in users if user.pk not in known]


def _claim(users: list, uid: str) -> dict:
    """The claim on the event's row (``inbox._in_order``'s) for each, made in one write; none
    at all if another message of the event made one meanwhile (it goes one by one then)."""
    until = timezone.now() + ReceivedItip.CLAIM
    rows = [ReceivedItip(owner=user, uid=uid, attendee="", sequence=-1, dtstamp="",
                         claimed_until=until) for user in users]  # fmt: skip
    if not rows:
        return {}
    try:
        with transaction.atomic():
            ReceivedItip.objects.bulk_create(rows)
    except IntegrityError:
        return {}
    return {row.owner: row for row in rows}


def _release(claims: dict, added: set[int], received: itip.Received) -> None:
    rows = list(claims.values())
    if not rows:
        return
    claimed = ReceivedItip.objects.filter(pk__in=[row.pk for row in rows],
                                          claimed_until=rows[0].claimed_until)  # fmt: skip
    if added:
        claimed.filter(owner_id__in=added).update(claimed_until=None, dtstamp=received.dtstamp,
                                                  sequence=received.sequence)  # fmt: skip
    if len(added) < len(rows):  # not written: applied one by one, claimed again there
        claimed.exclude(owner_id__in=added).update(claimed_until=None)


def _add(users: list, received: itip.Received, names: dict, current: dict) -> set[int]:
    if not users:
        return set()
    incoming = ical.wrap(*received.calendar.subcomponents)
    href = ical.href_for(received.uid)
    texts = _Copies(incoming)
    writes = [storage_writes.Write(user.username, names[user.pk][0], href,
                                   texts.of(user.email.lower())) for user in users]  # fmt: skip
    try:
        etags = storage_writes.replace_all(writes)
    except DavUnavailable:
        # Those written before the disk refused are counted, not indexed: their syncs index
        # them, as the hook's would (the task, retried, finds them unchanged).
        for write in writes:
            enqueue_on_commit(window.TASK, write.owner, write.collection)
        raise
    copies = [index_rows.NewCopy(user, write.collection, current[(user.pk, write.collection)],
                                 Resource(href, etag, write.text))
              for user, write, etag in zip(users, writes, etags, strict=True)
              if etag is not None]  # fmt: skip
    _filtered_copies_follow(copies)
    may_send = set(ScheduledEvent.objects.filter(owner__in=users, uid=received.uid[:300])
                   .values_list("owner_id", flat=True))  # fmt: skip
    taken = index_rows.apply_new_copies(copies, incoming, {c.owner.pk for c in copies} - may_send)
    for copy in copies:
        if copy.owner.pk not in taken:
            enqueue_on_commit(window.TASK, copy.owner.username, copy.collection)  # the hook's
    return {copy.owner.pk for copy in copies}


class _Copies:
    """Each person's copy: their answer awaited (PARTSTAT=NEEDS-ACTION, their RSVP done with,
    as ``itip.set_partstat`` sets it), the others' lines as sent. The calendar naming 200
    people is serialized once (doing it for each copy was a fifth of the worker's time), and
    each person's own lines are put in its text."""

    def __init__(self, incoming):
        self.text = ical.serialize(incoming)
        self.lines: dict[str, list] = {}  # address → (start, end, parameters, value)
        for match in storage_writes.ATTENDEE_LINES.finditer(self.text):
            line = Contentline(re.sub(r"\r\n[ \t]", "", match.group()).removesuffix("\r\n"))
            _name, params, value = line.raw_parts()
            self.lines.setdefault(itip.address(value), []).append(
                (match.start(), match.end(), params, value))  # fmt: skip

    def of(self, email: str) -> str:
        pieces, done = [], 0
        for start, end, params, value in self.lines.get(email, []):
            own = Parameters(params)
            own["PARTSTAT"] = "NEEDS-ACTION"
            own.pop("RSVP", None)
            line = Contentline.from_parts("ATTENDEE", own, vCalAddress(value))
            pieces += [self.text[done:start], line.to_ical().decode(), "\r\n"]
            done = end
        return "".join([*pieces, self.text[done:]])


def _filtered_copies_follow(copies: list[index_rows.NewCopy]) -> None:
    """What the sync would do after the index (``mirror.after_sync``), asked for all at once."""
    levels = share_access.reader_levels_of([(c.owner, c.collection) for c in copies])
    for copy in copies:
        mirror.after_sync(copy.owner, copy.collection, [copy.resource], [],
                          levels[(copy.owner.pk, copy.collection)])  # fmt: skip
