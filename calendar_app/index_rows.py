"""What the derived index holds of one resource (its row, busy periods and reminders), and
the web app's own writes put there at once, while the index is current: each collection's
change count (dav/changes.py), raised by Radicale's hook, against the count the index caught
up with (``CollectionState.indexed_version``). calendar_app.index keeps it in step with the
store."""

import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.db import DatabaseError, transaction
from django.utils import timezone

from calendar_app import freebusy, ical, itip, privacy, reminders
from calendar_app.models import CollectionState, IndexedEvent
from dav import changes
from dav.client import Resource

logger = logging.getLogger(__name__)
DESCRIPTION_CHARS = 2000


def _aware(value: datetime | date) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=ical.local_zone())
    return datetime.combine(value, time(), ical.local_zone())


def _length(component) -> timedelta:
    start = component.get("DTSTART").dt
    if component.get("DTEND") is not None:
        return _aware(component.get("DTEND").dt) - _aware(start)
    if component.get("DURATION") is not None:
        return component.get("DURATION").dt
    return timedelta(days=0 if isinstance(start, datetime) else 1)


def _last_end(parsed, event, start: datetime) -> datetime | None:
    """When the last occurrence of the series (or the event) ends; None without end."""
    rules = event.get("RRULE")
    if rules is None:
        return None if event.get("RDATE") is not None else start + _length(event)
    rule = rules[0] if isinstance(rules, list) else rules
    if rule.get("COUNT"):  # bounded: the end is found by expanding it
        last = list(ical.recurring_ical_events.of(parsed).all())[-1:]
        return _aware(last[0].get("DTSTART").dt) + _length(event) if last else start
    until = rule.get("UNTIL")
    return _aware(until[0]) + _length(event) if until and event.get("RDATE") is None else None


def _row_values(text: str, parsed, etag: str = "") -> dict | None:
    try:
        event = ical.master(parsed)
    except ical.BadCalendarData:
        return None
    if event.get("DTSTART") is None:
        return None
    start = _aware(event.get("DTSTART").dt)
    ends_at = _last_end(parsed, event, start)
    # An exception may move an occurrence outside the series' own span.
    for moved in parsed.walk("VEVENT"):
        if moved is event or moved.get("DTSTART") is None:
            continue
        start = min(start, _aware(moved.get("DTSTART").dt))
        if ends_at is not None:
            ends_at = max(ends_at, _aware(moved.get("DTSTART").dt) + _length(moved))
    return {
        "next_reminder_at": reminders.next_reminder(parsed, timezone.now()),
        "uid": str(event.get("UID", ""))[:300],
        "organizer": itip.organizer_of(event)[:320],
        "summary": str(event.get("SUMMARY", ""))[:300],
        "location": str(event.get("LOCATION", ""))[:300],
        "description": str(event.get("DESCRIPTION", ""))[:DESCRIPTION_CHARS],
        "starts_at": start.astimezone(UTC),
        "ends_at": ends_at.astimezone(UTC) if ends_at else None,
        "recurring": event.get("RRULE") is not None,
        "transparent": str(event.get("TRANSP", "OPAQUE")).upper() == "TRANSPARENT",
        "private": privacy.is_private(event.get("CLASS")),
        "source": text,
        "etag": etag[:300],
    }


@dataclass
class Applied:
    """What ``apply`` saw: each changed resource it read, parsed, by href (the sync's
    scheduling reads them too), and those whose version the index already held (the app's
    own writes, ``apply_own_write``), unread: their (UID, ORGANIZER) from the row."""

    read: dict = field(default_factory=dict)
    held: dict = field(default_factory=dict)


def apply(owner, collection: str, changed: list[Resource], deleted: list[str],
          parsed: dict | None = None, *, rebuild: bool = False) -> Applied:  # fmt: skip
    """``parsed``: resources the caller has parsed already, by href. ``rebuild``: every
    resource read again (a full listing, as ``reindex_agenda`` asks for)."""
    rows = IndexedEvent.objects.filter(owner=owner, collection=collection)
    rows.filter(href__in=deleted).delete()
    applied = Applied()
    held = {href: (etag, uid, organizer) for href, etag, uid, organizer in rows.filter(
        href__in=[r.href for r in changed]).values_list("href", "etag", "uid", "organizer")}
    for resource in changed:
        etag, uid, organizer = held.get(resource.href, ("", "", None))
        if resource.etag and etag == resource.etag and not rebuild:
            applied.held[resource.href] = (uid, organizer)
            continue
        try:  # once, for the row, its reminders and its busy periods
            calendar = applied.read[resource.href] = (
                (parsed or {}).get(resource.href) or ical.parse(resource.text))
        except ical.BadCalendarData:
            calendar = None
        values = None if calendar is None else _row_values(resource.text, calendar, resource.etag)
        if values is None:
            logger.info("index: unreadable resource %s/%s", collection, resource.href)
            rows.filter(href=resource.href).delete()
            continue
        row, _ = IndexedEvent.objects.update_or_create(
            owner=owner, collection=collection, href=resource.href, defaults=values
        )
        freebusy.store_periods(row, resource.text, calendar)
    return applied


def current_version(owner, collection: str) -> int | None:
    """The collection's change count if the index holds every change up to it, else None."""
    state = CollectionState.objects.filter(owner=owner, collection=collection).first()
    version = changes.versions(owner.username, [collection])[collection]
    return version if state is not None and state.indexed_version == version else None


def current_versions(owner, collections: list[str]) -> dict[str, int]:
    """The change count of each of ``collections`` whose index holds every change
    (``current_version`` of each, in two queries)."""
    if not collections:
        return {}
    current = current_versions_of([owner], {owner.pk: collections})
    return {name: version for (_owner, name), version in current.items()}


def current_versions_of(users, names: dict[int, list[str]]) -> dict[tuple[int, str], int]:
    """``current_versions`` of several people's calendars (``names``: by person's id), by
    (person's id, calendar), in two queries for all."""
    indexed = {(owner_id, name): version for owner_id, name, version in CollectionState.objects
               .filter(owner__in=users, collection__in={n for own in names.values() for n in own})
               .values_list("owner_id", "collection", "indexed_version")}  # fmt: skip
    by_id = {user.pk: user.username for user in users}
    counts = changes.versions_of([(by_id[pk], name) for pk, own in names.items() for name in own])
    return {(pk, name): counts[(by_id[pk], name)] for pk, own in names.items() for name in own
            if indexed.get((pk, name)) == counts[(by_id[pk], name)]}  # fmt: skip


def apply_own_write(owner, collection: str, before: int | None, changed: list[Resource],
                    deleted: list[str], parsed: dict | None = None, *,
                    settled: bool = False) -> bool:  # fmt: skip
    """The web app's own writes, into the index at once (read-your-writes). Only when the
    index was current before them (``before``, from ``current_version``) and the count rose
    by exactly these writes: then nothing else happened between. Otherwise the index stays
    behind, and the hook's task (already queued) catches it up. The sync token is left as it
    was: that task still sees these changes (invitations are sent from there), unless the
    writer has done what follows the index itself (``settled``) after changes that were
    settled too: then it has nothing to do."""
    if before is None:
        return False
    try:
        with transaction.atomic():
            state = (CollectionState.objects.select_for_update(nowait=True)
                     .filter(owner=owner, collection=collection).first())  # fmt: skip
            now = changes.versions(owner.username, [collection])[collection]
            if (state is None or state.indexed_version != before
                    or now != before + len(changed) + len(deleted)):  # fmt: skip
                return False
            apply(owner, collection, changed, deleted, parsed)
            state.indexed_version = now
            if settled and state.settled_version == before:
                state.settled_version = now
            state.save(update_fields=["indexed_version", "settled_version"])
    except DatabaseError:  # a sync or another write holds the row just then: the task catches up
        return False
    return True


@dataclass(frozen=True)
class NewCopy:
    """One event new in one person's calendar, written there by the app: ``before``, the
    calendar's count before the write, from ``current_versions``."""

    owner: object
    collection: str
    before: int
    resource: Resource


def apply_new_copies(copies: list[NewCopy], parsed, settled: set[int]) -> set[int]:
    """``apply_own_write`` of one event's new copies in several people's calendars (an
    invitation's, ``parsed`` once for all), in one transaction; the ids of the owners whose
    index took theirs (the others' sync catches up). ``settled``: owners for whom nothing
    follows the write (``apply_own_write``'s ``settled``)."""
    values = _row_values("", parsed) if copies else None
    if values is None:
        return set()
    try:
        with transaction.atomic():
            states = {(s.owner_id, s.collection): s for s in CollectionState.objects
                      .select_for_update(skip_locked=True)
                      .filter(owner__in=[c.owner for c in copies],
                              collection__in={c.collection for c in copies})}  # fmt: skip
            now = changes.versions_of([(c.owner.username, c.collection) for c in copies])
            fresh = [c for c in copies if _takes(states.get((c.owner.pk, c.collection)), c, now)]
            freebusy.store_new_rows([IndexedEvent(
                owner=c.owner, collection=c.collection, href=c.resource.href,
                **{**values, "source": c.resource.text, "etag": c.resource.etag[:300]})
                for c in fresh], fresh[0].resource.text if fresh else "", parsed)  # fmt: skip
            for copy in fresh:
                state = states[(copy.owner.pk, copy.collection)]
                if copy.owner.pk in settled and state.settled_version == copy.before:
                    state.settled_version = copy.before + 1
                state.indexed_version = copy.before + 1
            CollectionState.objects.bulk_update([states[(c.owner.pk, c.collection)] for c in fresh],
                                                ["indexed_version", "settled_version"])  # fmt: skip
    except DatabaseError:  # a row already there: the syncs catch up
        return set()
    return {copy.owner.pk for copy in fresh}


def _takes(state: CollectionState | None, copy: NewCopy, now: dict) -> bool:
    """The index was current before the copy, and the copy is the only change since."""
    return (state is not None and state.indexed_version == copy.before
            and now[(copy.owner.username, copy.collection)] == copy.before + 1)  # fmt: skip
