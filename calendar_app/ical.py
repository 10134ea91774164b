"""Events as iCalendar text: reading one resource, expanding its recurrences (capped), and
writing what the form says, including «cet événement / celui-ci et les suivants / tous»."""

import functools
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events
from django.conf import settings
from django.utils import timezone

PRODID = "-//Convergence//Agenda//FR"


class BadCalendarData(ValueError):
    pass


@dataclass
class Occurrence:
    """One appearance of an event in a view (a recurring event appears many times)."""

    calendar: str
    href: str
    etag: str
    uid: str
    title: str
    start: datetime | date
    end: datetime | date
    all_day: bool
    location: str = ""
    description: str = ""
    color: str = ""
    category: str = ""
    busy: bool = True
    private: bool = False
    recurring: bool = False
    recurrence_id: str = ""  # the occurrence's original start, as written in RECURRENCE-ID
    reminders: list[int] = field(default_factory=list)  # minutes before
    awaiting: bool = False  # an invitation the agenda's owner has not answered (NEEDS-ACTION)
    zone: str = ""  # the event's own time zone (its TZID), "" for floating times and all-day
    # Start and end in that zone, when its clock differs from the viewer's (else None).
    original_start: datetime | None = None
    original_end: datetime | None = None
    owner: str = ""  # the owner's login, for a calendar shared with the viewer (sharing.py)


def parse(text: str) -> icalendar.Calendar:
    try:
        calendar = icalendar.Calendar.from_ical(text)
    except (ValueError, IndexError, KeyError) as exc:
        raise BadCalendarData(str(exc)) from exc
    if calendar.name != "VCALENDAR":
        raise BadCalendarData("not a VCALENDAR")
    return calendar


def as_calendar(text: str | icalendar.Calendar) -> icalendar.Calendar:
    """The resource parsed, unless the caller has it parsed already: the index reads each
    resource once for its row, its reminders and its busy periods (a copy of an invitation
    to 200 people takes about 10 ms to parse)."""
    return text if isinstance(text, icalendar.Calendar) else parse(text)


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.AGENDA_TIME_ZONE)


def viewer_zone() -> ZoneInfo:
    """The zone the pages show times in: the signed-in person's (accounts' middleware
    activates it), the agenda's own elsewhere."""
    zone = timezone.get_current_timezone()
    return zone if isinstance(zone, ZoneInfo) else local_zone()


def _zone_name(prop, value) -> str:
    if not isinstance(value, datetime) or value.tzinfo is None:
        return ""
    return str(prop.params.get("TZID") or getattr(value.tzinfo, "key", "") or value.tzname())


def as_local(value: datetime | date, zone: ZoneInfo) -> datetime | date:
    if isinstance(value, datetime):
        return value.astimezone(zone) if value.tzinfo else value.replace(tzinfo=zone)
    return value


def recurrence_key(value: datetime | date) -> str:
    """RECURRENCE-ID as a stable string: UTC for times, the date for all-day events."""
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=local_zone())  # floating time
        return aware.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return value.strftime("%Y%m%d")


def from_recurrence_key(key: str) -> datetime | date:
    if "T" in key:
        return datetime.strptime(key, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    return datetime.strptime(key, "%Y%m%d").date()


def _reminders(component) -> list[int]:
    minutes = []
    for alarm in component.walk("VALARM"):
        trigger = alarm.get("TRIGGER")
        if trigger is not None and isinstance(trigger.dt, timedelta) and trigger.dt <= timedelta():
            minutes.append(int(-trigger.dt.total_seconds() // 60))
    return sorted(minutes)


def occurrence_of(component, *, calendar: str, href: str, etag: str, master_recurs: bool,
                  zone: ZoneInfo, color: str = "",
                  series_private: bool = False) -> Occurrence:  # fmt: skip
    start = component.get("DTSTART").dt
    all_day = not isinstance(start, datetime)
    end_prop = component.get("DTEND")
    if end_prop is not None:
        end = end_prop.dt
    elif component.get("DURATION") is not None:
        end = start + component.get("DURATION").dt
    else:
        end = start + (timedelta(days=1) if all_day else timedelta())
    categories = component.get("CATEGORIES")
    category = ""
    if categories is not None:
        first = categories[0] if isinstance(categories, list) else categories
        category = ",".join(str(c) for c in first.cats)
    recurrence_id = component.get("RECURRENCE-ID")
    original = recurrence_id.dt if recurrence_id is not None else start
    shown_start, shown_end = as_local(start, zone), as_local(end, zone)
    own_clock = (isinstance(start, datetime) and start.tzinfo is not None
                 and start.utcoffset() != shown_start.utcoffset())  # fmt: skip
    return Occurrence(
        calendar=calendar, href=href, etag=etag, uid=str(component.get("UID", "")),
        title=str(component.get("SUMMARY", "")), location=str(component.get("LOCATION", "")),
        description=str(component.get("DESCRIPTION", "")),
        start=shown_start, end=shown_end, all_day=all_day,
        zone=_zone_name(component.get("DTSTART"), start),
        original_start=start if own_clock else None,
        original_end=(end.astimezone(start.tzinfo) if own_clock and isinstance(end, datetime)
                      else None),
        color=str(component.get("COLOR", "")) or color, category=category,
        busy=str(component.get("TRANSP", "OPAQUE")).upper() != "TRANSPARENT",
        private=series_private or _private(component),
        recurring=master_recurs, recurrence_id=recurrence_key(original) if master_recurs else "",
        reminders=_reminders(component),
    )  # fmt: skip


def expand(text: str | icalendar.Calendar, start: datetime, end: datetime, *, calendar: str,
           href: str, etag: str, color: str = "", cap: int | None = None,
           zone: ZoneInfo | None = None) -> list[Occurrence]:  # fmt: skip
    """The occurrences of one resource (its text, or parsed: read, not changed) that overlap
    [start, end), at most ``cap`` of them (an RRULE without end, or FREQ=SECONDLY, must not
    hang a page), in ``zone`` (the agenda's own by default)."""
    cap = cap or settings.AGENDA_MAX_OCCURRENCES
    parsed = as_calendar(text)
    recurs = any("RRULE" in e or "RDATE" in e for e in parsed.walk("VEVENT"))
    series_private = private_series(parsed)
    zone = zone or local_zone()
    found = []
    query = recurring_ical_events.of(parsed, skip_bad_series=True)
    for component in query.after(start):
        first = component.get("DTSTART").dt
        first_dt = first if isinstance(first, datetime) else datetime.combine(first, time(), zone)
        if first_dt.tzinfo is None:
            first_dt = first_dt.replace(tzinfo=zone)
        if first_dt >= end or len(found) >= cap:
            break
        found.append(occurrence_of(component, calendar=calendar, href=href, etag=etag,
                                   master_recurs=recurs, zone=zone, color=color,
                                   series_private=series_private))  # fmt: skip
    return found


PRIVATE_CLASSES = ("PRIVATE", "CONFIDENTIAL")


def _private(component) -> bool:
    return str(component.get("CLASS", "PUBLIC")).upper() in PRIVATE_CLASSES


def private_series(calendar: icalendar.Calendar) -> bool:
    """The series is private, so every changed occurrence is too: RFC 5545 does not carry
    CLASS over to a RECURRENCE-ID component, and phones often leave it out there."""
    return any(_private(e) for e in calendar.walk("VEVENT") if e.get("RECURRENCE-ID") is None)


def master(calendar: icalendar.Calendar):
    """The VEVENT without RECURRENCE-ID (the series, or the only event)."""
    for component in calendar.walk("VEVENT"):
        if component.get("RECURRENCE-ID") is None:
            return component
    raise BadCalendarData("no VEVENT")


def new_uid() -> str:
    return f"{uuid.uuid4()}@{settings.MAIL_DOMAIN}"


def href_for(uid: str) -> str:
    safe = "".join(c for c in uid if c.isalnum() or c in "-_.@")[:200]
    return f"{safe or uuid.uuid4().hex}.ics"


def serialize(calendar: icalendar.Calendar) -> str:
    """The calendar as text, with a VTIMEZONE for each zone it names without one (RFC 5545
    §3.6.5), before its first component, where ``add_missing_timezones`` puts it."""
    zones = "".join(map(_zone_text, sorted(calendar.get_missing_tzids())))
    text = calendar.to_ical().decode()
    if not zones:
        return text
    # A line that begins with BEGIN: is a component's (a value's line breaks are escaped).
    first = text.find("\r\nBEGIN:", 1)
    at = first + 2 if first != -1 else text.rindex("END:VCALENDAR")
    return text[:at] + zones + text[at:]


@functools.lru_cache(maxsize=64)  # a sender may name any number of unknown zones
def _zone_text(tzid: str) -> str:
    """The zone's VTIMEZONE from the system's data, made once per process: its transitions
    take icalendar 5 ms to work out, at every write of an event that names the zone."""
    try:
        return icalendar.Timezone.from_tzid(tzid).to_ical().decode()
    except ValueError:  # unknown here (a name of Outlook's): left as the sender wrote it
        return ""


def wrap(*components) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    for component in components:
        calendar.add_component(component)
    return calendar
