"""Keeping the derived index in step with the store, from its sync token (RFC 6578)."""

import logging
from datetime import UTC, date, datetime, time

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from calendar_app import freebusy, ical, mirror, privacy, reminders, scheduling
from calendar_app.models import CollectionState, IndexedEvent
from dav import read_only
from dav.client import DavNotFound, dav_session

logger = logging.getLogger(__name__)
DESCRIPTION_CHARS = 2000


def _aware(value: datetime | date) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=ical.local_zone())
    return datetime.combine(value, time(), ical.local_zone())


def _row_values(text: str) -> dict | None:
    try:
        event = ical.master(ical.parse(text))
    except ical.BadCalendarData:
        return None
    if event.get("DTSTART") is None:
        return None
    start = _aware(event.get("DTSTART").dt)
    rules = event.get("RRULE")
    recurring = rules is not None
    if recurring:
        rule = rules[0] if isinstance(rules, list) else rules
        until = rule.get("UNTIL")
        ends_at = _aware(until[0]) if until else None
        if rule.get("COUNT"):  # bounded: the end is found by expanding it
            last = list(ical.recurring_ical_events.of(ical.parse(text)).all())[-1:]
            ends_at = _aware(last[0].get("DTSTART").dt) if last else start
    else:
        end = event.get("DTEND")
        ends_at = _aware(end.dt) if end is not None else start
    return {
        "next_reminder_at": reminders.next_reminder(text, timezone.now()),
        "uid": str(event.get("UID", ""))[:300],
        "summary": str(event.get("SUMMARY", ""))[:300],
        "location": str(event.get("LOCATION", ""))[:300],
        "description": str(event.get("DESCRIPTION", ""))[:DESCRIPTION_CHARS],
        "starts_at": start.astimezone(UTC),
        "ends_at": ends_at.astimezone(UTC) if ends_at else None,
        "recurring": recurring,
        "transparent": str(event.get("TRANSP", "OPAQUE")).upper() == "TRANSPARENT",
        "private": privacy.is_private(event.get("CLASS")),
    }


def reindex_collection(username: str, collection: str) -> int:
    """Applies the changes since the last sync; returns how many resources changed."""
    owner = get_user_model().objects.filter(username=username).first()
    if owner is None or read_only.is_mirror(collection):
        return 0  # a shared calendar's filtered copy is not its owner's: never indexed
    CollectionState.objects.get_or_create(owner=owner, collection=collection)
    # One sync per collection at a time: a burst of changes queues several tasks.
    with transaction.atomic():
        state = CollectionState.objects.select_for_update().get(owner=owner, collection=collection)
        try:
            with dav_session(username) as store:
                result = store.sync(collection, state.sync_token or None)
        except DavNotFound:  # the collection was deleted
            IndexedEvent.objects.filter(owner=owner, collection=collection).delete()
            state.delete()
            return 0
        rows = IndexedEvent.objects.filter(owner=owner, collection=collection)
        if not state.sync_token:  # a full listing: whatever it does not name is gone
            rows.exclude(href__in=[r.href for r in result.changed]).delete()
        rows.filter(href__in=result.deleted).delete()
        for resource in result.changed:
            values = _row_values(resource.text)
            if values is None:
                logger.info("index: unreadable resource %s/%s", collection, resource.href)
                continue
            row, _ = IndexedEvent.objects.update_or_create(
                owner=owner, collection=collection, href=resource.href, defaults=values
            )
            freebusy.store_periods(row, resource.text)
        state.sync_token = result.token
        state.save(update_fields=["sync_token"])
        # Invitations, updates and cancellations of the events this person organises.
        scheduling.after_sync(owner, collection, result.changed, result.deleted)
        # The filtered copy «lecture» grantees sync (private events as «Occupé»).
        mirror.after_sync(owner, collection, result.changed, result.deleted)
    return len(result.changed) + len(result.deleted)
