"""The events of a range for the agenda's pages: from the derived index while it is current,
else from the store's time-range REPORT; then expanded, each resource's expansion kept in the
cache per ETag and range.

Radicale answers a time-range REPORT by reading every item of the collection (3,000 events:
about 0.4 s on a quiet machine), and so does its sync-collection REPORT. The index is a
database query. It is used for a collection only while its change count, raised by Radicale's
hook in the request of each change (dav/changes.py), equals the count the index caught up
with: a change made on a phone is counted before the phone has its answer, and from then on
the pages ask Radicale until the hook's task has indexed it. A collection never indexed
(created on a phone, or before the count existed) is read from Radicale too, and its indexing
is queued."""

import hashlib
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db.models import Q

from calendar_app import attendees, ical, index_rows
from calendar_app.models import IndexedEvent
from convergence.queueing import enqueue_on_commit
from dav import changes
from dav.client import DavNotFound, Resource, dav_session

EXPANSION_CACHE_SECONDS = 3600
CATCH_UP_SECONDS = 60  # a collection's indexing is queued at most this often by the pages
# The index keeps spans in UTC, all-day and floating times read in the agenda's zone; the
# viewer's may be another: rows are chosen this much wider, the expansion is exact.
ZONE_MARGIN = timedelta(days=2)
TASK = "calendar_app.tasks.collection_changed"


def occurrences_between(user, start: datetime, end: datetime, calendars) -> list[ical.Occurrence]:
    """The occurrences in [start, end) of the (visible) ``calendars`` of ``user``."""
    names = [c.name for c in calendars]
    current = current_collections(user, names)
    behind = [name for name in names if name not in current]
    stored: dict[str, list[Resource]] = {}
    if behind:
        _catch_up(user, behind)
        with dav_session(user.username) as store:
            for name in behind:
                try:
                    stored[name] = store.in_range(name, start, end)
                except DavNotFound:  # deleted on a phone since the list was cached
                    stored[name] = []
                    changes.bump_on_commit(user.username, changes.HOME)  # the list read again
    found: list[ical.Occurrence] = []
    for calendar in calendars:
        if calendar.name in current:
            found.extend(_from_index(user, calendar, start, end))
        else:
            found.extend(_expanded(user, calendar, stored[calendar.name], start, end))
    return found


def current_collections(user, names: list[str]) -> set[str]:
    """Those of ``names`` whose index holds every change counted so far."""
    return set(index_rows.current_versions(user, names))


def _catch_up(user, names: list[str]) -> None:
    for name in names:
        if cache.add(f"agenda:catch-up:{user.pk}:{name}", 1, CATCH_UP_SECONDS):
            enqueue_on_commit(TASK, user.username, name)


def _from_index(user, calendar, start: datetime, end: datetime) -> list[ical.Occurrence]:
    """The index's copy of the resources that may overlap the range (their text read only
    when their expansion is not in the cache)."""
    rows = IndexedEvent.objects.filter(
        owner=user, collection=calendar.name, starts_at__lt=end + ZONE_MARGIN).filter(
        Q(ends_at__isnull=True) | Q(ends_at__gt=start - ZONE_MARGIN))  # fmt: skip
    resources = [Resource(href, etag, "") for href, etag in rows.values_list("href", "etag")]
    return _expanded(user, calendar, resources, start, end, rows=rows)


def _expanded(user, calendar, resources: list[Resource], start: datetime, end: datetime,
              rows=None) -> list[ical.Occurrence]:  # fmt: skip
    """Parsing and expanding is most of a view's time: kept per resource version (its ETag)
    and range, so the same range shown again costs the query only. ``rows``: where to read
    the text of the resources given without it."""
    zone = ical.viewer_zone()
    keys = {
        resource.href: "agenda:occ:" + hashlib.sha256(
            f"{user.pk}|{calendar.name}|{calendar.color}|{resource.href}|{resource.etag}|"
            f"{start.isoformat()}|{end.isoformat()}|{zone.key}".encode()).hexdigest()
        for resource in resources if resource.etag
    }  # fmt: skip
    cached = cache.get_many(list(keys.values())) if keys else {}
    missing = [r for r in resources if keys.get(r.href) not in cached]
    if rows is not None and missing:
        texts = dict(rows.filter(href__in=[r.href for r in missing]).values_list("href", "source"))
        missing = [Resource(r.href, r.etag, texts.get(r.href, "")) for r in missing]
    found: list[ical.Occurrence] = []
    for resource in resources:
        if keys.get(resource.href) in cached:
            found.extend(cached[keys[resource.href]])
    fresh = {}
    for resource in missing:
        occurrences = _expand(user, calendar, resource, start, end, zone)
        found.extend(occurrences)
        if resource.href in keys:
            fresh[keys[resource.href]] = occurrences
    if fresh:
        cache.set_many(fresh, EXPANSION_CACHE_SECONDS)
    return found


def _expand(user, calendar, resource: Resource, start, end, zone) -> list[ical.Occurrence]:
    try:
        occurrences = ical.expand(resource.text, start, end, calendar=calendar.name,
                                  href=resource.href, etag=resource.etag, color=calendar.color,
                                  zone=zone)  # fmt: skip
    except ical.BadCalendarData:
        return []  # written by another client; shown nowhere rather than a 500
    if occurrences and user.email.lower() in resource.text.lower():
        awaiting = attendees.awaiting_answer(resource.text, user.email)
        for occurrence in occurrences:
            occurrence.awaiting = awaiting
    return occurrences
