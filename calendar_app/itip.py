"""iTIP (RFC 5546) on iCalendar objects: who organises and who attends an event, the REQUEST,
CANCEL, REPLY and COUNTER objects sent about it, and reading one received. Pure: no store, no
mail (calendar_app.imip builds the mail, calendar_app.scheduling and .inbox use both)."""

import hashlib
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

import icalendar

from calendar_app import ical

# What attendees must be told about (RFC 5546 §2.1.4: a change of these bumps SEQUENCE).
SIGNIFICANT = ("DTSTART", "DTEND", "DURATION", "SUMMARY", "LOCATION", "RRULE", "RDATE",
               "EXDATE", "STATUS", "DESCRIPTION")  # fmt: skip
ANSWERS = ("ACCEPTED", "TENTATIVE", "DECLINED")
MAX_ATTENDEES = 500


@dataclass(frozen=True)
class Person:
    email: str  # lower case, without «mailto:»
    name: str = ""
    partstat: str = "NEEDS-ACTION"
    comment: str = ""


@dataclass
class Received:
    """One iTIP object as received: its method and the event it is about."""

    method: str
    calendar: icalendar.Calendar
    uid: str
    sequence: int
    dtstamp: str  # UTC, "YYYYMMDDTHHMMSSZ": compared as text
    organizer: str
    attendees: list[Person]
    recurrence_id: str  # a CANCEL or REPLY of one occurrence, else ""

    @property
    def event(self):
        return first_event(self.calendar)


def address(value) -> str:
    """«mailto:Prof.Demo@ac-demo.test» → «prof.demo@ac-demo.test» ("" if not an address)."""
    text = str(value or "").strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    text = text.strip().lower()
    return text if "@" in text and " " not in text and len(text) <= 320 else ""


def organizer_of(component) -> str:
    return address(component.get("ORGANIZER"))


def _param(prop, name: str) -> str:
    params = getattr(prop, "params", {}) or {}
    return str(params.get(name, "") or "")


def attendees_of(component) -> list[Person]:
    people: dict[str, Person] = {}
    for prop in attendee_lines(component):
        email = address(prop)
        if email and email not in people:
            people[email] = Person(
                email, _param(prop, "CN"), _param(prop, "PARTSTAT").upper() or "NEEDS-ACTION"
            )
    return list(people.values())[:MAX_ATTENDEES]


def sent_by_of(component, email: str) -> str:
    """Who answered for the attendee ``email`` (their line's SENT-BY), "" if they did."""
    for prop in attendee_lines(component):
        if address(prop) == email:
            return address(_param(prop, "SENT-BY"))
    return ""


def partstat_of(component, email: str) -> str:
    return next((p.partstat for p in attendees_of(component) if p.email == email), "")


def _calendar_address(email: str, name: str = "", **params) -> icalendar.vCalAddress:
    prop = icalendar.vCalAddress(f"mailto:{email}")
    if name:
        prop.params["CN"] = name
    for key, value in params.items():
        prop.params[key.replace("_", "-").upper()] = value
    return prop


def set_people(component, organizer: Person, attendees: list[Person]) -> None:
    """ORGANIZER and ATTENDEE lines as given (each attendee's answer kept as it is)."""
    component.pop("ORGANIZER", None)
    component.pop("ATTENDEE", None)
    if not attendees:
        return
    component.add("ORGANIZER", _calendar_address(organizer.email, organizer.name))
    for person in attendees:
        component.add("ATTENDEE", _calendar_address(
            person.email, person.name, cutype="INDIVIDUAL", role="REQ-PARTICIPANT",
            partstat=person.partstat or "NEEDS-ACTION", rsvp="TRUE"))  # fmt: skip


def attendee_lines(component) -> list:
    found = component.get("ATTENDEE")
    return found if isinstance(found, list) else [found] if found is not None else []


def set_partstat(component, email: str, partstat: str, comment: str = "") -> bool:
    """The attendee ``email``'s answer on one VEVENT; False if they are not on it."""
    changed = False
    for prop in attendee_lines(component):
        if address(prop) == email:
            prop.params["PARTSTAT"] = partstat
            prop.params.pop("RSVP", None)
            changed = True
    if changed and comment:
        component.pop("COMMENT", None)
        component.add("COMMENT", comment[:1000])
    return changed


@contextmanager
def own_lines_kept(calendar: icalendar.Calendar, email: str):
    """The ATTENDEE lines of ``email`` put back as they were: the received components are
    shared by every attendee of a batch (read once), each one's answer is set in its copy."""
    kept = [(prop, dict(prop.params)) for component in events(calendar)
            for prop in attendee_lines(component) if address(prop) == email]  # fmt: skip
    try:
        yield
    finally:
        for prop, params in kept:
            prop.params.clear()
            prop.params.update(params)


def events(calendar: icalendar.Calendar) -> list:
    return list(calendar.walk("VEVENT"))


def first_event(calendar: icalendar.Calendar):
    """The master VEVENT, or the first one (a REPLY may carry one occurrence only)."""
    try:
        return ical.master(calendar)
    except ical.BadCalendarData:
        found = events(calendar)
        if not found:
            raise
        return found[0]


def sequence_of(component) -> int:
    try:
        return max(0, int(str(component.get("SEQUENCE", 0))))
    except ValueError:
        return 0


def stamp_of(component) -> str:
    stamp = component.get("DTSTAMP")
    value = getattr(stamp, "dt", None)
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return ""


def fingerprint(calendar: icalendar.Calendar) -> str:
    """What attendees see of the event (time, place, title, rule, exceptions): a change of
    it is an update for everyone; a new answer is not."""
    parts = []
    for component in events(calendar):
        rid = component.get("RECURRENCE-ID")
        parts.append(ical.recurrence_key(rid.dt) if rid is not None else "*")
        for name in SIGNIFICANT:
            value = component.get(name)
            if value is not None:
                values = value if isinstance(value, list) else [value]
                parts.append(name + "=" + "|".join(v.to_ical().decode() for v in values))
    return hashlib.sha256("\n".join(sorted(parts)).encode()).hexdigest()


def _timezones(calendar: icalendar.Calendar) -> list:
    return [c for c in calendar.subcomponents if c.name == "VTIMEZONE"]


def _copy(component):
    return icalendar.Event.from_ical(component.to_ical())


def outgoing(calendar: icalendar.Calendar, method: str, *, sequence: int,
             attendees: list[str] | None = None) -> icalendar.Calendar:  # fmt: skip
    """The organiser's event as a REQUEST or CANCEL: its VEVENTs with SEQUENCE and a fresh
    DTSTAMP, without the organiser's own alarms; ``attendees`` narrows the ATTENDEE lines
    (a CANCEL to a removed attendee names them only)."""
    result = ical.wrap(*[_copy(z) for z in _timezones(calendar)])
    result.add("METHOD", method)
    now = datetime.now(UTC)
    for component in events(calendar):
        copy = _copy(component)
        copy.subcomponents = [c for c in copy.subcomponents if c.name != "VALARM"]
        copy.pop("SEQUENCE", None)
        copy.add("SEQUENCE", sequence)
        copy.pop("DTSTAMP", None)
        copy.add("DTSTAMP", now)
        if method == "CANCEL":
            copy.pop("STATUS", None)
            copy.add("STATUS", "CANCELLED")
        if attendees is not None:
            keep = [p for p in attendees_of(component) if p.email in attendees]
            organizer = Person(organizer_of(component), _param(component.get("ORGANIZER"), "CN"))
            set_people(copy, organizer, keep)
        result.add_component(copy)
    return result


def reply(calendar: icalendar.Calendar, attendee: Person, *, method: str = "REPLY",
          proposed: tuple | None = None, sent_by: str = "") -> icalendar.Calendar:  # fmt: skip
    """The attendee's answer (RFC 5546 §3.2.3): the event's identity and their line only.
    ``method="COUNTER"`` with ``proposed`` (start, end): «proposer un autre horaire»;
    ``sent_by``: the delegate who answers for them (SENT-BY, RFC 5545 §3.2.18)."""
    event = first_event(calendar)
    answer = icalendar.Event()
    for name in ("UID", "SEQUENCE", "SUMMARY", "DTSTART", "DTEND", "DURATION",
                 "RECURRENCE-ID", "LOCATION"):  # fmt: skip
        if event.get(name) is not None:
            answer.add(name, event.get(name))
    answer.add("DTSTAMP", datetime.now(UTC))
    answer.add("ORGANIZER", event.get("ORGANIZER"))
    extra = {"sent_by": f"mailto:{sent_by}"} if sent_by else {}
    answer.add("ATTENDEE", _calendar_address(attendee.email, attendee.name,
                                             partstat=attendee.partstat, **extra))  # fmt: skip
    if attendee.comment:
        answer.add("COMMENT", attendee.comment[:1000])
    if proposed is not None:
        for name in ("DTSTART", "DTEND", "DURATION"):
            answer.pop(name, None)
        answer.add("DTSTART", proposed[0])
        answer.add("DTEND", proposed[1])
    result = ical.wrap(*[_copy(z) for z in _timezones(calendar)], answer)
    result.add("METHOD", method)
    return result


def read(data: bytes | str) -> Received:
    """A received calendar object; ical.BadCalendarData for anything unusable, whatever the
    parser trips on (the data comes from anyone)."""
    try:
        return _read(data)
    except ical.BadCalendarData:
        raise
    except (ValueError, TypeError, AttributeError, KeyError, IndexError, RecursionError) as exc:
        raise ical.BadCalendarData(exc.__class__.__name__) from exc


def _read(data: bytes | str) -> Received:
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    if len(text) > 1_000_000:
        raise ical.BadCalendarData("too large")
    return as_received(ical.parse(text))


def as_received(calendar: icalendar.Calendar) -> Received:
    """An iTIP object built here (a room's REPLY) as ``read`` gives it, without writing and
    reading its text again; checked as a received one is."""
    method = str(calendar.get("METHOD", "")).upper()
    found = events(calendar)
    if not found or len(found) > 1000:
        raise ical.BadCalendarData("no usable VEVENT")
    event = first_event(calendar)
    uid = str(event.get("UID", "")).strip()
    if not uid or len(uid) > 300 or any(str(e.get("UID", "")).strip() != uid for e in found):
        raise ical.BadCalendarData("missing or mixed UID")
    if method in ("REQUEST", "CANCEL", "PUBLISH", "") and event.get("DTSTART") is None:
        raise ical.BadCalendarData("no DTSTART")
    try:
        for component in found:  # every date must be readable before anything is shown
            for name in ("DTSTART", "DTEND", "RECURRENCE-ID"):
                if component.get(name) is not None:
                    component.get(name).dt  # noqa: B018 - raises on a broken value
    except (ValueError, AttributeError, TypeError) as exc:
        raise ical.BadCalendarData(str(exc)) from exc
    rid = event.get("RECURRENCE-ID")
    return Received(
        method=method, calendar=calendar, uid=uid, sequence=sequence_of(event),
        dtstamp=stamp_of(event), organizer=organizer_of(event), attendees=attendees_of(event),
        recurrence_id=ical.recurrence_key(rid.dt) if rid is not None else "",
    )  # fmt: skip
