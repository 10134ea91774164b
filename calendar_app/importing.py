"""Importing an .ics file: read leniently, report in French what was skipped or changed, then
write each event (with its exceptions) to the chosen calendar; a UID already there is
updated, not doubled."""

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar
from django.utils.translation import gettext as _

from calendar_app import ical
from dav.client import DavConflict, DavRefused, dav_session
from mail.models import stored

MAX_EVENTS = 1000  # per import; a larger file is imported in part, and says so
MAX_DESCRIPTION = 20_000
TOKEN = re.compile(r"^[0-9a-f]{32}$")


@dataclass
class PreparedEvent:
    uid: str
    title: str
    start: datetime | date | None
    text: str


@dataclass
class ImportReport:
    events: list[PreparedEvent] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _fix_times(component, zones_in_file: set[str], problems: list[str], title: str) -> None:
    """A TZID that is neither a known zone nor defined in the file: the time is read as the
    agenda's own zone, and the report says so."""
    for name in ("DTSTART", "DTEND", "RECURRENCE-ID"):
        prop = component.get(name)
        if prop is None:
            continue
        tzid = prop.params.get("TZID")
        value = prop.dt
        if tzid and tzid not in zones_in_file and _zone(tzid) is None and isinstance(value,
                                                                                   datetime):
            component.pop(name)
            component.add(name, value.replace(tzinfo=ical.local_zone()))
            problems.append(_("«%(title)s»: unknown time zone «%(zone)s», read as Paris time.")
                            % {"title": title, "zone": tzid})  # fmt: skip


def _first_blocks(text: str, blocks: int) -> str:
    """The text up to the end of its ``blocks``-th VEVENT: parsing 10,000 events to keep a
    thousand would cost seconds for nothing."""
    end = 0
    for _n in range(blocks):
        end = text.find("END:VEVENT", end)
        if end < 0:
            return text
        end += len("END:VEVENT")
    return text[:end] + "\r\nEND:VCALENDAR\r\n"


def read_ics(data: bytes) -> ImportReport:
    """Every event of the file ready to store, or a report of why not; never raises."""
    report = ImportReport()
    text = data.decode("utf-8", "replace")
    blocks = text.count("BEGIN:VEVENT")
    if blocks > MAX_EVENTS:
        report.problems.append(_("The file holds %(n)s events: only the first %(max)s are "
                                 "imported.") % {"n": blocks, "max": MAX_EVENTS})
        text = _first_blocks(text, MAX_EVENTS)
    try:
        parsed = icalendar.Calendar.from_ical(text)
    except (ValueError, IndexError, KeyError):
        report.problems.append(_("This file is not an iCalendar (.ics) file."))
        return report
    timezones = list(parsed.walk("VTIMEZONE"))
    zones_in_file = {str(z.get("TZID")) for z in timezones}
    by_uid: dict[str, list] = {}
    for component in parsed.walk("VEVENT"):
        uid = str(component.get("UID", "")) or ical.new_uid()
        if "UID" not in component:
            component.add("UID", uid)
        by_uid.setdefault(uid, []).append(component)
    for uid, components in by_uid.items():
        title = str(components[0].get("SUMMARY", "")) or _("(no title)")
        try:
            if any(c.get("DTSTART") is None for c in components):
                raise ValueError("no DTSTART")
            for component in components:
                component.get("DTSTART").dt  # noqa: B018 - raises on a broken date
                if component.errors:
                    raise ValueError(component.errors[0][1])
                _fix_times(component, zones_in_file, report.problems, title)
                description = str(component.get("DESCRIPTION", ""))
                if len(description) > MAX_DESCRIPTION:
                    component["DESCRIPTION"] = description[:MAX_DESCRIPTION] + "…"
                    report.problems.append(_("«%(title)s»: description shortened to %(n)s "
                                             "characters.") % {"title": title,
                                                               "n": MAX_DESCRIPTION})
            calendar = ical.wrap(*timezones, *components)
            master = next((c for c in components if c.get("RECURRENCE-ID") is None),
                          components[0])  # fmt: skip
            report.events.append(PreparedEvent(uid, title, master.get("DTSTART").dt,
                                               ical.serialize(calendar)))  # fmt: skip
        except (ValueError, TypeError, AttributeError, icalendar.error.BrokenCalendarProperty):
            report.problems.append(_("«%(title)s»: unreadable (a date or a line is broken), "
                                     "not imported.") % {"title": title})  # fmt: skip
    if not by_uid:
        report.problems.append(_("The file holds no event."))
    return report


def import_into(user, calendar: str, report: ImportReport) -> tuple[int, int, list[str]]:
    """Returns (created, updated, problems); events already there (same UID) are replaced."""
    created = updated = 0
    problems: list[str] = []
    with dav_session(user.username) as store:
        existing = {}
        for resource in store.all_resources(calendar):
            try:
                existing[str(ical.master(ical.parse(resource.text))["UID"])] = resource
            except (ical.BadCalendarData, KeyError):
                continue
        for event in report.events:
            current = existing.get(event.uid)
            try:
                if current is not None:
                    store.put(calendar, current.href, event.text, etag=current.etag)
                    updated += 1
                else:
                    store.put(calendar, ical.href_for(event.uid), event.text, etag=None)
                    created += 1
            except (DavConflict, DavRefused):  # one bad event, not the whole file
                problems.append(_("«%(title)s»: refused by the agenda server, not imported.")
                                % {"title": event.title})  # fmt: skip
    return created, updated, problems


# --- The uploaded file between preview and import -----------------------------------------
# In the database (mail.models.stored): the confirmation may reach another web node.

KEEP_SECONDS = 24 * 3600  # a preview nobody confirmed, a day later


def keep_upload(user, data: bytes) -> str:
    return stored.keep(user, "agenda.ics", data, seconds=KEEP_SECONDS).token


def kept_upload(user, token: str, *, remove: bool = False) -> bytes | None:
    if not TOKEN.match(token or ""):
        return None
    upload = stored.kept(user, token)
    if upload is None:
        return None
    data = stored.read(upload.chunks)
    if remove:
        stored.forget(upload)
    return data
