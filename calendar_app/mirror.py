"""The filtered copies of a calendar shared at «lecture» or «disponibilités seulement», for the
grantees' phones.

Radicale serves a collection the same way to every reader and cannot hide a private event
from some of them. So a calendar someone reads at «lecture» has a copy beside it,
``lecture--<calendar>`` in its owner's home (dav.read_only: only the web app writes it, its
owner does not even see it), in which a private event (CLASS:PRIVATE or CONFIDENTIAL) is
«Occupé» and its time only, and no event carries its owner's alarms; one shared at
«disponibilités seulement» has ``disponibilites--<calendar>``, in which every busy event is
«Occupé» and its time only (a «libre» one is left out, as on the web). The rights plugin gives
grantees their level's copy, never the calendar itself. The copies are brought up to date by
the index's task after each change of the calendar (web or phone: the hook), and rebuilt when
a share is given or taken."""

import contextlib

import icalendar
from django.conf import settings
from django.utils import translation

from calendar_app import ical, privacy, share_access
from calendar_app.sharing_models import Level
from dav import read_only
from dav.client import DavConflict, DavNotFound, dav_session

# What a reader of a private event's copy gets: when it is, and that it is.
KEPT = ("UID", "DTSTART", "DTEND", "DURATION", "RRULE", "RDATE", "EXDATE", "RECURRENCE-ID",
        "DTSTAMP", "SEQUENCE", "TRANSP", "CLASS", "STATUS")  # fmt: skip
SOURCE = "X-CONVERGENCE-SOURCE"  # the source resource's ETag: unchanged → not rewritten


def filtered(text: str, etag: str = "", *, busy: bool = False) -> str | None:
    """The resource as a «lecture» reader may sync it, or with ``busy`` a «disponibilités»
    one (None: nothing to show)."""
    try:
        parsed = ical.parse(text)
    except ical.BadCalendarData:
        return None
    kept = []
    with translation.override(settings.LANGUAGE_CODE):
        label = privacy.busy_label()
    series_private = ical.private_series(parsed)
    for component in parsed.subcomponents:
        if component.name == "VTIMEZONE":
            kept.append(component)
        elif component.name == "VEVENT" and not (busy and _free(component)):
            kept.append(_filtered_event(component, label, reduce=busy or series_private))
    if not any(c.name == "VEVENT" for c in kept):
        return None
    result = ical.wrap(*kept)
    if etag:
        result.add(SOURCE, etag)
    return ical.serialize(result)


def _free(component) -> bool:
    """«libre» (not busy), unless it changes one occurrence of a series: kept then, still
    TRANSPARENT, or the series' busy time would show in its place."""
    return (str(component.get("TRANSP", "OPAQUE")).upper() == "TRANSPARENT"
            and component.get("RECURRENCE-ID") is None)  # fmt: skip


def _filtered_event(component, label: str, *, reduce: bool):
    if reduce or privacy.is_private(component.get("CLASS")):
        copy = icalendar.Event()
        for name in KEPT:
            if component.get(name) is not None:
                copy.add(name, component.get(name))
        copy.add("SUMMARY", label)
        return copy
    copy = icalendar.Event.from_ical(component.to_ical())
    copy.subcomponents = [c for c in copy.subcomponents if c.name != "VALARM"]
    return copy


def _remove(store, name: str, href: str) -> None:
    with contextlib.suppress(DavNotFound):
        store.delete(name, href, etag=store.get(name, href).etag)


def rebuild(owner, collection: str) -> None:
    """Each copy made, brought level with the calendar, or removed when nobody reads it."""
    for busy in (False, True):
        _rebuild(owner, collection, busy)


def _rebuild(owner, collection: str, busy: bool) -> None:
    name = read_only.mirror_of(collection, busy=busy)
    wanted = share_access.has_readers(owner, collection, _level(busy))
    with dav_session(owner.username) as store:
        calendars = {c.name: c for c in store.calendars()}
        source = calendars.get(collection)
        if not wanted or source is None:
            if name in calendars:
                store.delete_calendar(name)
            return
        if name not in calendars:
            # Made meanwhile, perhaps: a new calendar's copy is rebuilt by the page that made
            # it and by the worker's sync its hook queued, at once.
            with contextlib.suppress(DavConflict):
                store.make_calendar(name, source.display_name, source.color)
        copies = {r.href: r for r in store.all_resources(name)}
        for resource in store.all_resources(collection):
            old = copies.pop(resource.href, None)
            if old is not None and f"{SOURCE}:{resource.etag}" in old.text:
                continue
            text = filtered(resource.text, resource.etag, busy=busy)
            if text is not None:
                store.replace(name, resource.href, text)
        for href in copies:
            _remove(store, name, href)


def after_sync(owner, collection: str, changed, deleted: list[str],
               levels: set[str] | None = None) -> None:  # fmt: skip
    """The index's task saw these changes of the calendar: the copies follow. ``levels``:
    ``share_access.reader_levels`` of the calendar, when the caller has asked."""
    if read_only.is_read_only(collection):
        return
    if levels is None:
        levels = share_access.reader_levels(owner, collection)
    for busy in (False, True):
        if _level(busy) in levels:
            _follow(owner, collection, busy, changed, deleted)


def _level(busy: bool) -> str:
    return Level.FREEBUSY if busy else Level.READ


def _follow(owner, collection: str, busy: bool, changed, deleted: list[str]) -> None:
    name = read_only.mirror_of(collection, busy=busy)
    with dav_session(owner.username) as store:
        if name not in {c.name for c in store.calendars()}:
            _rebuild(owner, collection, busy)
            return
        for resource in changed:
            text = filtered(resource.text, resource.etag, busy=busy)
            if text is None:
                _remove(store, name, resource.href)
            else:
                store.replace(name, resource.href, text)
        for href in deleted:
            _remove(store, name, href)
