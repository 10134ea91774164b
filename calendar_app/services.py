"""The agenda's actions: calendars and events of one person, read and written on the CalDAV
store through dav/client.py. Views call these; DavUnavailable and DavConflict reach them."""

import contextlib
from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.utils.text import slugify
from django.utils.translation import pgettext

from calendar_app import attendees, edits, ical, index_rows, privacy, subscriptions, window
from calendar_app.models import AgendaSettings
from dav import changes, read_only, storage_writes
from dav.client import Collection, DavConflict, DavNotFound, Resource, dav_session

DEFAULT_CALENDAR = "personnel"
DEFAULT_COLOR = "#000091"
LIST_SECONDS = 60  # the cached list of calendars, for what the store tells no one


@dataclass(frozen=True)
class CalendarInfo:
    name: str
    display_name: str
    color: str
    hidden: bool
    read_only: bool = False  # a subscription: nobody writes it but its refresh


@dataclass
class StoredEvent:
    calendar: str
    href: str
    etag: str
    parsed: "ical.icalendar.Calendar"

    @property
    def recurring(self) -> bool:
        return "RRULE" in ical.master(self.parsed)


def calendars_of(user, preferences: AgendaSettings | None = None) -> list[CalendarInfo]:
    """The person's calendars; «Personnel» is created at first use (a subscription alone
    leaves nowhere to write). ``preferences``: their AgendaSettings, when the caller has them."""
    # Shared calendars' filtered copies, and the school calendar's copy for phones (the pages
    # compute their own, school.py), are not one's own calendars.
    found = [c for c in stored_calendars(user) if not read_only.is_derived_copy(c.name)]
    if all(read_only.is_read_only(c.name) for c in found):
        with dav_session(user.username) as store:
            # Made meanwhile by a page at the same moment, perhaps: then the listing is read
            # here, as the cached one may not know it yet.
            with contextlib.suppress(DavConflict):
                store.make_calendar(DEFAULT_CALENDAR, pgettext("agenda", "Personal"),
                                    DEFAULT_COLOR)  # fmt: skip
            found = [c for c in store.calendars() if not read_only.is_derived_copy(c.name)]
    hidden = set((preferences or AgendaSettings.read(user)).hidden_calendars)
    return _in_order(
        CalendarInfo(c.name, c.display_name, c.color or DEFAULT_COLOR, c.name in hidden,
                     read_only.is_read_only(c.name)) for c in found)  # fmt: skip


def _in_order(calendars):
    """«Personnel» first (where a received invitation goes), then by name."""
    return sorted(calendars, key=lambda c: (c.name != DEFAULT_CALENDAR, c.display_name.lower()))


def calendar_names_of(users) -> dict[int, list[str]]:
    """The names of each person's own calendars, in ``calendars_of``'s order, their listings
    read in one query and one cache read for all (a batch of an invitation's attendees);
    none where «Personnel» is still to be made (``calendars_of`` makes it)."""
    homes = changes.versions_of([(user.username, changes.HOME) for user in users])
    keys = {user.pk: _list_key(user, homes[(user.username, changes.HOME)]) for user in users}
    cached = cache.get_many(list(keys.values()))
    names = {}
    for user in users:
        found = cached.get(keys[user.pk])
        if found is None:  # lapsed: read from Radicale's storage where the worker shares it
            found = (storage_writes.calendars(user.username) if storage_writes.enabled()
                     else stored_calendars(user))  # fmt: skip
        own = [c for c in found if not read_only.is_derived_copy(c.name)]
        names[user.pk] = [] if all(read_only.is_read_only(c.name) for c in own) else [
            c.name for c in _in_order(own)]  # fmt: skip
    return names


def stored_calendars(user) -> list[Collection]:
    """The calendar collections of ``user``'s home, from the cache under the count of changes
    to that list (dav/changes.py), so that a page does not ask the store each time. A calendar
    created, renamed or deleted by the web app, renamed or recoloured anywhere, or written to
    for the first time changes the key; one deleted on a phone shows until LIST_SECONDS have
    passed (Radicale's hook tells nothing of a collection's deletion but its events') or a
    page finds it gone (calendar_app/window.py)."""
    key = _list_key(user, changes.home_version(user.username))
    found = cache.get(key)
    if found is None:
        with dav_session(user.username) as store:
            found = store.calendars()
        cache.set(key, found, LIST_SECONDS)
    return found


def _list_key(user, home_version: int) -> str:
    return f"agenda:calendars:{user.pk}:{user.username}:{home_version}"


def writable(calendars: list[CalendarInfo]) -> list[CalendarInfo]:
    """The calendars events can be created in or moved to."""
    return [c for c in calendars if not c.read_only]


def access_calendar(user, name: str) -> CalendarInfo:
    """One of the person's own calendars, or DavNotFound (a 404 for the page)."""
    for calendar in calendars_of(user):
        if calendar.name == name:
            return calendar
    raise DavNotFound(name)


def occurrences_between(user, start: datetime, end: datetime,
                        calendars: list[CalendarInfo]) -> list[ical.Occurrence]:  # fmt: skip
    """From the derived index while it is current, else from the store (calendar_app/window.py)."""
    return by_time(window.occurrences_between(user, start, end,
                                              [c for c in calendars if not c.hidden]))


def by_time(found: list[ical.Occurrence]) -> list[ical.Occurrence]:
    return sorted(found, key=lambda o: (not o.all_day, _sort_key(o.start), o.title.lower()))


def _sort_key(value) -> str:
    return value.isoformat() if isinstance(value, datetime) else f"{value.isoformat()}T00"


def find_event(user, calendar: str, href: str) -> StoredEvent:
    with dav_session(user.username) as store:
        resource = store.get(calendar, href)
    try:
        return StoredEvent(calendar, href, resource.etag, ical.parse(resource.text))
    except ical.BadCalendarData as exc:
        raise DavNotFound(href) from exc


def series_rule(event: StoredEvent):
    """The RRULE of a recurring event (for the form), or None."""
    rule = ical.master(event.parsed).get("RRULE") if event.recurring else None
    return rule[0] if isinstance(rule, list) else rule


def occurrence_in(event: StoredEvent, key: str) -> ical.Occurrence:
    """The occurrence ``key`` of a stored event (the master when there is no key)."""
    zone = ical.viewer_zone()
    recurs = event.recurring
    if key:
        for component in event.parsed.walk("VEVENT"):
            rid = component.get("RECURRENCE-ID")
            if rid is not None and ical.recurrence_key(rid.dt) == key:
                return ical.occurrence_of(component, calendar=event.calendar, href=event.href,
                                          etag=event.etag, master_recurs=True, zone=zone)
    occurrence = ical.occurrence_of(ical.master(event.parsed), calendar=event.calendar,
                                    href=event.href, etag=event.etag, master_recurs=recurs,
                                    zone=zone)  # fmt: skip
    if key and recurs:  # an occurrence of the rule: the master moved to that date
        original = ical.as_local(ical.from_recurrence_key(key), zone)
        length = occurrence.end - occurrence.start
        occurrence.start, occurrence.end = original, original + length
        occurrence.recurrence_id = key
    return occurrence


def create_event(user, calendar: str, data: edits.EventData) -> str:
    parsed = edits.new_event(data)
    attendees.apply(parsed, user, data.attendees)
    href = ical.href_for(str(ical.master(parsed)["UID"]))
    text = ical.serialize(parsed)
    before = index_rows.current_version(user, calendar)
    with dav_session(user.username) as store:
        etag = store.put(calendar, href, text, etag=None)
    index_rows.apply_own_write(user, calendar, before, [Resource(href, etag, text)], [])
    return href


def change_event(user, event: StoredEvent, *, key: str, scope: str,
                 data: edits.EventData) -> None:  # fmt: skip
    """Writes the change with the ETag read before: DavConflict if someone changed it since."""
    new_series = None
    if not event.recurring or scope == "all" or not key:
        edits.change_all(event.parsed, key if event.recurring else "", data)
    elif scope == "this":
        edits.change_this(event.parsed, key, data)
    elif edits.end_series_before(event.parsed, key):  # «celui-ci et les suivants»
        new_series = edits.new_event(data)
    else:  # from the first occurrence on: the whole series
        edits.change_all(event.parsed, key, data)
    attendees.apply(event.parsed, user, data.attendees)
    if new_series is not None:
        attendees.apply(new_series, user, data.attendees)
    written = [(event.href, ical.serialize(event.parsed), event.etag)]
    if new_series is not None:
        written.append((ical.href_for(str(ical.master(new_series)["UID"])),
                        ical.serialize(new_series), None))  # fmt: skip
    before = index_rows.current_version(user, event.calendar)
    changed = []
    with dav_session(user.username) as store:
        for href, text, etag in written:
            changed.append(Resource(href, store.put(event.calendar, href, text, etag=etag), text))
    index_rows.apply_own_write(user, event.calendar, before, changed, [])


def delete_event(user, event: StoredEvent, *, key: str, scope: str) -> None:
    before = index_rows.current_version(user, event.calendar)
    with dav_session(user.username) as store:
        if event.recurring and key and scope == "this":
            edits.delete_this(event.parsed, key)
        elif not (event.recurring and key and scope == "following"
                  and edits.end_series_before(event.parsed, key)):  # fmt: skip
            store.delete(event.calendar, event.href, etag=event.etag)
            index_rows.apply_own_write(user, event.calendar, before, [], [event.href])
            return
        text = ical.serialize(event.parsed)
        etag = store.put(event.calendar, event.href, text, etag=event.etag)
    index_rows.apply_own_write(user, event.calendar, before, [Resource(event.href, etag, text)], [])


def move_event(user, event: StoredEvent, target: str) -> None:
    """Into another of the person's calendars: written there first, then removed here."""
    text = ical.serialize(event.parsed)
    into = index_rows.current_version(user, target)
    out_of = index_rows.current_version(user, event.calendar)
    with dav_session(user.username) as store:
        etag = store.put(target, event.href, text, etag=None)
        index_rows.apply_own_write(user, target, into, [Resource(event.href, etag, text)], [])
        store.delete(event.calendar, event.href, etag=event.etag)
    index_rows.apply_own_write(user, event.calendar, out_of, [], [event.href])


# --- Calendars -----------------------------------------------------------------------------


def create_calendar(user, display_name: str, color: str) -> str:
    existing = {c.name for c in calendars_of(user)}
    base = slugify(display_name)[:40] or "agenda"
    name, n = base, 1
    while name in existing:
        n += 1
        name = f"{base}-{n}"
    with dav_session(user.username) as store:
        store.make_calendar(name, display_name, color)
    return name


def update_calendar(user, name: str, *, display_name: str, color: str, hidden: bool) -> None:
    access_calendar(user, name)
    with dav_session(user.username) as store:
        store.update_calendar(name, display_name=display_name, color=color)
    set_hidden(user, name, hidden)


def set_hidden(user, name: str, hidden: bool) -> None:
    settings = AgendaSettings.of(user)
    names = set(settings.hidden_calendars) - {name}
    if hidden:
        names.add(name)
    settings.hidden_calendars = sorted(names)
    settings.save(update_fields=["hidden_calendars"])


def delete_calendar(user, name: str) -> None:
    if access_calendar(user, name).read_only:
        subscriptions.unsubscribe(user, name)
        return
    with dav_session(user.username) as store:
        store.delete_calendar(name)
    set_hidden(user, name, False)


# --- Export --------------------------------------------------------------------------------


def export_calendar(user, name: str) -> str:
    """One VCALENDAR with every event of the calendar and the time zones they use."""
    access_calendar(user, name)
    with dav_session(user.username) as store:
        resources = store.all_resources(name)
    merged = ical.wrap()
    zones: set[str] = set()
    for resource in resources:
        try:
            parsed = ical.parse(resource.text)
        except ical.BadCalendarData:
            continue
        for component in parsed.subcomponents:
            if component.name == "VTIMEZONE":
                tzid = str(component.get("TZID"))
                if tzid in zones:
                    continue
                zones.add(tzid)
            merged.add_component(component)
    return merged.to_ical().decode()


def export_event(user, calendar: str, href: str) -> str:
    access_calendar(user, calendar)
    with dav_session(user.username) as store:
        return store.get(calendar, href).text


# --- Search --------------------------------------------------------------------------------

SEARCH_LIMIT = 50


def search_events(user, text: str, start: datetime, end: datetime) -> list[ical.Occurrence]:
    """Occurrences in [start, end) of the events whose title, place or description holds
    ``text``: the derived index finds them, the store gives their current version."""
    from django.db.models import Q

    from calendar_app.models import IndexedEvent

    words = text.split()
    if not words:
        return []
    rows = IndexedEvent.objects.filter(owner=user, starts_at__lt=end).filter(
        Q(ends_at__isnull=True) | Q(ends_at__gte=start))
    for word in words[:10]:
        rows = rows.filter(Q(summary__icontains=word) | Q(location__icontains=word)
                           | Q(description__icontains=word))  # fmt: skip
    colors = {c.name: c.color for c in calendars_of(user)}
    found: list[ical.Occurrence] = []
    with dav_session(user.username) as store:
        for row in rows.select_related("owner").order_by("starts_at")[:SEARCH_LIMIT]:
            if row.collection not in colors:
                continue
            try:
                resource = store.get(row.collection, row.href)
                found.extend(privacy.occurrence_for(user, row.owner, o) for o in ical.expand(
                    resource.text, start, end, calendar=row.collection, href=row.href,
                    etag=resource.etag, color=colors[row.collection],
                    zone=ical.viewer_zone()))  # fmt: skip
            except (DavNotFound, ical.BadCalendarData):
                continue  # deleted or rewritten since it was indexed
    return sorted(found, key=lambda o: _sort_key(o.start))
