"""Free/busy: when people are busy, from the derived index (no CalDAV request).

The index keeps each event's busy occurrences (``BusyPeriod``); a series is expanded at
indexing time over a window around that day, and on the fly from its stored text when a
question reaches outside it. A «libre» (TRANSPARENT) occurrence is never busy; what the
reader sees of each period is decided by ``calendar_app.privacy``.
"""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from icalendar import Calendar

from calendar_app import ical, privacy, share_access
from calendar_app.models import BusyPeriod, IndexedEvent, Room, RoomSlot
from directory.search import own_etablissement_ids

_DENSE = re.compile(r"^RRULE:.*FREQ=(SECONDLY|MINUTELY)", re.MULTILINE | re.IGNORECASE)
WINDOW_BEFORE = timedelta(days=90)
WINDOW_AFTER = timedelta(days=730)
MAX_RANGE = timedelta(days=42)
MAX_PEOPLE = 100


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime
    title: str  # what the reader may see: the event's title, or «Occupé»
    all_day: bool = False


@dataclass
class Person:
    email: str
    name: str
    known: bool
    periods: list[Period]


def _aware(value: datetime | date) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=ical.local_zone())
    return datetime.combine(value, time(), ical.local_zone())


def _busy_occurrences(text: str | Calendar, start: datetime, end: datetime) -> list[BusyPeriod]:
    """The busy occurrences of a resource (its text, or parsed) overlapping [start, end),
    unsaved."""
    found = []
    for occurrence in ical.expand(text, start, end, calendar="", href="", etag=""):
        if not occurrence.busy:
            continue
        found.append(BusyPeriod(
            starts_at=_aware(occurrence.start).astimezone(UTC),
            ends_at=_aware(occurrence.end).astimezone(UTC), title=occurrence.title[:300],
            private=occurrence.private, all_day=occurrence.all_day,
        ))  # fmt: skip
    return found


def _too_dense(text: str) -> bool:
    """A series by the second or minute: recurring_ical_events computes a whole range before
    any cap (86,400 occurrences a day, seconds of work), and no person is busy that way.
    Such a series has no busy period."""
    return bool(_DENSE.search(text))


def store_periods(row: IndexedEvent, text: str, parsed: Calendar) -> None:
    """Called by the index for each changed resource (its row, with ``source``, saved;
    ``parsed``: its text, as the index read it)."""
    BusyPeriod.objects.filter(event=row).delete()
    start, end = _expanded_span(row)
    row.save(update_fields=["busy_from", "busy_until"])
    _store(_periods(text, parsed, start, end), [row])


def store_new_rows(rows: list[IndexedEvent], text: str, parsed: Calendar) -> None:
    """``store_periods`` for the unsaved rows of one event in several people's calendars (an
    invitation's copies, ``text`` one of them): saved here, the event expanded once."""
    spans = [_expanded_span(row) for row in rows]  # one event: the same span for all
    IndexedEvent.objects.bulk_create(rows)
    if rows:
        _store(_periods(text, parsed, *spans[0]), rows)


def _expanded_span(row: IndexedEvent) -> tuple[datetime, datetime]:
    """Where the row's busy periods are kept: a series' around today (``busy_from`` and
    ``busy_until`` say so), an event's at its time."""
    if row.recurring:
        now = timezone.now()
        row.busy_from, row.busy_until = now - WINDOW_BEFORE, now + WINDOW_AFTER
        return row.busy_from, row.busy_until
    row.busy_from = row.busy_until = None
    return row.starts_at - timedelta(days=1), (row.ends_at or row.starts_at) + timedelta(days=1)


def _periods(text: str, parsed: Calendar, start: datetime, end: datetime) -> list[BusyPeriod]:
    if _too_dense(text):
        return []
    try:
        return _busy_occurrences(parsed, start, end)
    except ical.BadCalendarData:
        return []


def _store(periods: list[BusyPeriod], rows: list[IndexedEvent]) -> None:
    BusyPeriod.objects.bulk_create([
        BusyPeriod(event=row, owner_id=row.owner_id, starts_at=p.starts_at, ends_at=p.ends_at,
                   title=p.title, private=p.private, all_day=p.all_day)
        for row in rows for p in periods])  # fmt: skip


def parse_moment(value: str) -> datetime | None:
    """ISO 8601, with or without time and offset (a date is its midnight, local time)."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except (ValueError, AttributeError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=ical.local_zone())


def busy_of(reader, emails: list[str], start: datetime, end: datetime) -> list[Person]:
    """Each address's busy periods overlapping [start, end), as ``reader`` may see them."""
    # As typed and in lower case: the unique index on e-mail answers, not a scan.
    users = {u.email.lower(): u for u in get_user_model().objects.filter(
        email__in={*emails, *(e.lower() for e in emails)}, is_active=True)}  # fmt: skip
    owners = {u.pk: u for u in users.values()}
    by_owner: dict[int, list[Period]] = {pk: [] for pk in owners}
    live = _series_outside_window(owners, start, end)
    rows = (BusyPeriod.objects.filter(owner_id__in=owners, starts_at__lt=end, ends_at__gt=start)
            .exclude(event_id__in=live).order_by("starts_at")
            .values_list("owner_id", "event__collection", "starts_at", "ends_at", "title",
                         "private", "all_day"))  # fmt: skip
    # What the reader may see of each calendar (shares, functional calendars): asked once.
    grants = share_access.grants_of(reader, list(owners))
    for owner_id, collection, starts_at, ends_at, title, private, all_day in rows:
        by_owner[owner_id].append(_period(
            reader, owners[owner_id], starts_at, ends_at, title, private, all_day,
            share_access.level_in(grants, owner_id, collection)))  # fmt: skip
    for row in IndexedEvent.objects.filter(pk__in=live).only("owner_id", "collection", "source"):
        if _too_dense(row.source):
            continue
        level = share_access.level_in(grants, row.owner_id, row.collection)
        try:
            for busy in _busy_occurrences(row.source, start, end):
                by_owner[row.owner_id].append(_period(
                    reader, owners[row.owner_id], busy.starts_at, busy.ends_at, busy.title,
                    busy.private, busy.all_day, level))  # fmt: skip
        except ical.BadCalendarData:
            continue
    rooms = _rooms(reader, [e for e in emails if e.lower() not in users], start, end)
    people = []
    for email in emails:
        if email.lower() in rooms:
            name, periods = rooms[email.lower()]
            people.append(Person(email, name, True, periods))
            continue
        user = users.get(email.lower())
        periods = sorted(by_owner.get(user.pk, []) if user else [], key=lambda p: p.start)
        people.append(Person(email, user.get_full_name() if user else "", user is not None,
                             periods))  # fmt: skip
    return people


def _rooms(reader, emails: list[str], start: datetime, end: datetime) -> dict:
    """Rooms among the addresses: {address: (name, periods)} from their held slots. Titles
    as the room's agenda shows them (a private event already «Occupé»), to the staff of its
    établissement who read that agenda (calendar_app.rooms.rooms_of_staff); times only to
    others."""
    found = {r.pk: r for r in Room.objects.filter(email__in={e.lower() for e in emails})}
    if not found:
        return {}
    staff = set(own_etablissement_ids(reader))
    periods: dict[int, list[Period]] = {pk: [] for pk in found}
    zone = ical.local_zone()
    for slot in (RoomSlot.objects.filter(room_id__in=found, starts_at__lt=end, ends_at__gt=start)
                 .select_related("booking").order_by("starts_at")):  # fmt: skip
        room = found[slot.room_id]
        title = slot.booking.summary if room.etablissement_id in staff else ""
        periods[room.pk].append(Period(slot.starts_at.astimezone(zone),
                                       slot.ends_at.astimezone(zone),
                                       title or privacy.busy_label()))  # fmt: skip
    return {r.email: (r.name, periods[pk]) for pk, r in found.items()}


def _series_outside_window(owners: dict, start: datetime, end: datetime) -> list[int]:
    """Series overlapping the range whose stored periods do not cover it."""
    return list(IndexedEvent.objects.filter(
        owner_id__in=owners, recurring=True, starts_at__lt=end).filter(
        Q(ends_at__isnull=True) | Q(ends_at__gte=start)).filter(
        Q(busy_from__isnull=True) | Q(busy_from__gt=start) | Q(busy_until__lt=end))
        .values_list("pk", flat=True))  # fmt: skip


def _period(reader, owner, start, end, title, private, all_day, level: str) -> Period:
    seen = privacy.shown_to(reader, owner, private=private, details=privacy.Details(title),
                            level=level)  # fmt: skip
    zone = ical.local_zone()
    return Period(start.astimezone(zone), end.astimezone(zone),
                  seen.title if seen is not None else privacy.busy_label(), all_day)
