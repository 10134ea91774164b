"""Writing what the event form says into iCalendar, and the three scopes of a change to a
recurring event: «cet événement» (a RECURRENCE-ID exception, or an EXDATE to delete it),
«celui-ci et les suivants» (the series ends with UNTIL, a new series starts) and «tous»."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar

from calendar_app import ical

WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


@dataclass
class Recurrence:
    frequency: str = ""  # "", DAILY, WEEKLY, MONTHLY, YEARLY
    interval: int = 1
    weekdays: list[str] = field(default_factory=list)  # weekly: MO, TU…
    monthly_by_weekday: bool = False  # «le 2e mardi» rather than «le 14»
    until: date | None = None  # inclusive
    count: int | None = None


@dataclass
class EventData:
    title: str
    start: datetime | date  # aware datetimes, or dates for all-day events
    end: datetime | date  # exclusive for all-day events, as in iCalendar
    location: str = ""
    description: str = ""
    category: str = ""
    color: str = ""
    busy: bool = True
    private: bool = False
    reminders: list[int] = field(default_factory=list)  # minutes before
    recurrence: Recurrence = field(default_factory=Recurrence)
    attendees: list | None = None  # itip.Person; None: left as they are (calendar_app.attendees)

    @property
    def all_day(self) -> bool:
        return not isinstance(self.start, datetime)


def nth_weekday(day: date) -> str:
    """«le 2e mardi» of ``day`` as BYDAY (2TU); the fifth is written as the last (-1TU)."""
    nth = (day.day - 1) // 7 + 1
    return f"{-1 if nth == 5 else nth}{WEEKDAYS[day.weekday()]}"


def rrule_of(recurrence: Recurrence, start: datetime | date) -> icalendar.vRecur | None:
    if not recurrence.frequency:
        return None
    rule = icalendar.vRecur(FREQ=recurrence.frequency)
    if recurrence.interval > 1:
        rule["INTERVAL"] = recurrence.interval
    start_day = start.date() if isinstance(start, datetime) else start
    if recurrence.frequency == "WEEKLY":
        rule["BYDAY"] = recurrence.weekdays or [WEEKDAYS[start_day.weekday()]]
    elif recurrence.frequency == "MONTHLY":
        if recurrence.monthly_by_weekday:
            rule["BYDAY"] = [nth_weekday(start_day)]
        else:
            rule["BYMONTHDAY"] = [start_day.day]
    if recurrence.count:
        rule["COUNT"] = recurrence.count
    elif recurrence.until:
        rule["UNTIL"] = _until(recurrence.until, start)
    return rule


def _until(last_day: date, start: datetime | date) -> date | datetime:
    """UNTIL is a date for all-day series, else UTC (RFC 5545 §3.3.10, DTSTART with TZID)."""
    if not isinstance(start, datetime):
        return last_day
    zone = start.tzinfo or ical.local_zone()
    return datetime.combine(last_day, time(23, 59, 59), zone).astimezone(UTC)


def _set(component, name: str, value) -> None:
    component.pop(name, None)
    if value not in (None, "", []):
        component.add(name, value)


def fill(component, data: EventData, *, with_rule: bool = True) -> None:
    """The form's values onto a VEVENT (kept: UID, RECURRENCE-ID, EXDATE, unknown properties)."""
    _set(component, "SUMMARY", data.title)
    _set(component, "LOCATION", data.location)
    _set(component, "DESCRIPTION", data.description)
    _set(component, "DTSTART", data.start)
    _set(component, "DTEND", data.end)
    component.pop("DURATION", None)
    _set(component, "CATEGORIES", [data.category] if data.category else None)
    _set(component, "COLOR", data.color)
    _set(component, "TRANSP", "OPAQUE" if data.busy else "TRANSPARENT")
    _set(component, "CLASS", "PRIVATE" if data.private else "PUBLIC")
    _set(component, "DTSTAMP", datetime.now(UTC))
    _set(component, "LAST-MODIFIED", datetime.now(UTC))
    if "SEQUENCE" in component:
        component["SEQUENCE"] = int(component["SEQUENCE"]) + 1
    if with_rule:
        _set(component, "RRULE", rrule_of(data.recurrence, data.start))
    component.subcomponents = [c for c in component.subcomponents if c.name != "VALARM"]
    for minutes in sorted(set(data.reminders)):
        alarm = icalendar.Alarm()
        alarm.add("ACTION", "DISPLAY")
        alarm.add("DESCRIPTION", data.title)
        alarm.add("TRIGGER", timedelta(minutes=-minutes))
        component.add_component(alarm)


def new_event(data: EventData, uid: str | None = None) -> icalendar.Calendar:
    event = icalendar.Event()
    event.add("UID", uid or ical.new_uid())
    event.add("CREATED", datetime.now(UTC))
    event.add("SEQUENCE", 0)
    fill(event, data)
    return ical.wrap(event)


def _in_series_form(master, original: datetime | date) -> datetime | date:
    """An occurrence's original start written as the series writes DTSTART (same TZID)."""
    start = master.get("DTSTART").dt
    if not isinstance(start, datetime):
        return original if not isinstance(original, datetime) else original.date()
    if start.tzinfo is None:  # floating series
        return original.astimezone(ical.local_zone()).replace(tzinfo=None)
    return original.astimezone(start.tzinfo)


def _exception(calendar: icalendar.Calendar, key: str):
    for component in calendar.walk("VEVENT"):
        rid = component.get("RECURRENCE-ID")
        if rid is not None and ical.recurrence_key(rid.dt) == key:
            return component
    return None


def change_all(calendar: icalendar.Calendar, key: str, data: EventData) -> None:
    """«tous»: the series moves by as much as this occurrence was moved."""
    master = ical.master(calendar)
    if key and not data.all_day and isinstance(master.get("DTSTART").dt, datetime):
        original = ical.from_recurrence_key(key)
        shift = data.start - original
        series_start = master.get("DTSTART").dt
        if series_start.tzinfo is None:
            series_start = series_start.replace(tzinfo=ical.local_zone())
        duration = data.end - data.start
        data.start = (series_start + shift).astimezone(ZoneInfo(str(data.start.tzinfo)))
        data.end = data.start + duration
    elif key and data.all_day and not isinstance(master.get("DTSTART").dt, datetime):
        shift = data.start - ical.from_recurrence_key(key)
        length = data.end - data.start
        data.start = master.get("DTSTART").dt + shift
        data.end = data.start + length
    fill(master, data)


def change_this(calendar: icalendar.Calendar, key: str, data: EventData) -> None:
    """«cet événement»: an exception with RECURRENCE-ID, the series untouched."""
    master = ical.master(calendar)
    exception = _exception(calendar, key)
    if exception is None:
        exception = icalendar.Event()
        exception.add("UID", master["UID"])
        exception.add("RECURRENCE-ID", _in_series_form(master, ical.from_recurrence_key(key)))
        exception.add("SEQUENCE", int(master.get("SEQUENCE", 0)))
        calendar.add_component(exception)
    fill(exception, data, with_rule=False)


def end_series_before(calendar: icalendar.Calendar, key: str) -> bool:
    """The series stops just before this occurrence (UNTIL, replacing any COUNT); False when
    it is the first one, so nothing of the series would remain."""
    master = ical.master(calendar)
    original = _in_series_form(master, ical.from_recurrence_key(key))
    start = master.get("DTSTART").dt
    if original <= start:
        return False
    rule = master.get("RRULE")
    rule = rule[0] if isinstance(rule, list) else rule
    rule.pop("COUNT", None)
    if isinstance(original, datetime):
        last = original - timedelta(seconds=1)
        rule["UNTIL"] = [last.astimezone(UTC) if last.tzinfo else last]
    else:
        rule["UNTIL"] = [original - timedelta(days=1)]
    calendar.subcomponents = [
        c for c in calendar.subcomponents
        if not (c.name == "VEVENT" and c.get("RECURRENCE-ID") is not None
                and ical.recurrence_key(c["RECURRENCE-ID"].dt) >= key)
    ]  # fmt: skip
    return True


def delete_this(calendar: icalendar.Calendar, key: str) -> None:
    """«cet événement» deleted: an EXDATE in the series' own form, and no exception left."""
    master = ical.master(calendar)
    master.add("EXDATE", _in_series_form(master, ical.from_recurrence_key(key)))
    calendar.subcomponents = [
        c for c in calendar.subcomponents
        if not (c.name == "VEVENT" and c.get("RECURRENCE-ID") is not None
                and ical.recurrence_key(c["RECURRENCE-ID"].dt) == key)
    ]  # fmt: skip
