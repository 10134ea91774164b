"""Reading the school calendar's .ics files (data.education.gouv.fr, «Calendrier scolaire»:
one file per zone, SUMMARY like «Vacances de la Toussaint - Zone A») into the data file's
entries, and merging them with what the file holds."""

import re
from datetime import date, datetime

import icalendar

from directory import school_calendar

_ZONE_SUFFIX = re.compile(r"\s+-\s+(?:zone\s+)?(?P<zone>[^-]+?)\s*$", re.IGNORECASE)
_SUMMER = re.compile(r"d[ée]but des vacances d'[ée]t[ée]", re.IGNORECASE)


class BadSchoolCalendar(ValueError):
    pass


def _day(prop) -> date | None:
    if prop is None:
        return None
    value = prop.dt
    return value.date() if isinstance(value, datetime) else value


def _zone(text: str) -> str:
    text = text.strip()
    if len(text) == 1 and text.upper() in "ABC":
        return text.upper()
    for name in school_calendar.academies():
        if name.lower() == text.lower():
            return school_calendar.zone_of(name)
    return ""


def school_year(day: date) -> str:
    first = day.year if day.month >= 8 else day.year - 1
    return f"{first}-{first + 1}"


def read_ics(data: bytes, zone: str = "") -> list[dict]:
    """The holidays of the file, each {zones, school_year, description, start, end}."""
    try:
        calendar = icalendar.Calendar.from_ical(data)
    except (ValueError, IndexError, KeyError) as exc:
        raise BadSchoolCalendar(str(exc)) from exc
    entries, rentrees = [], []
    for event in calendar.walk("VEVENT"):
        summary = str(event.get("SUMMARY", "")).strip()
        start, end = _day(event.get("DTSTART")), _day(event.get("DTEND"))
        match = _ZONE_SUFFIX.search(summary)
        event_zone = zone or (_zone(match.group("zone")) if match else "") or _zone(
            str(event.get("LOCATION", "")))  # fmt: skip
        description = summary[: match.start()] if match and not zone else summary
        if start is None or not event_zone:
            continue
        if "rentrée" in summary.lower():
            rentrees.append((event_zone, start))
            continue
        summer = bool(_SUMMER.search(summary))
        if not summer and not re.search(r"vacances|pont", summary, re.IGNORECASE):
            continue
        if summer:
            description, end = "Vacances d'été", None
        elif end is None or end <= start:
            continue
        entries.append({"zones": [event_zone], "school_year": school_year(start),
                        "description": description.strip(), "start": start, "end": end})
    for entry in entries:  # a summer ends when the next rentrée of its zone is known
        if entry["end"] is None:
            later = [d for z, d in rentrees if z == entry["zones"][0] and d > entry["start"]]
            entry["end"] = min(later) if later else None
    return entries


def merged(existing: list[dict], new: list[dict]) -> list[dict]:
    """The file's entries with every (zone, school year) the import holds replaced by it;
    the same holiday in several zones is written once."""
    replaced = {(z, e["school_year"]) for e in new for z in e["zones"]}
    rows: dict[tuple, set[str]] = {}
    for entry in [*existing, *new]:
        from_new = entry in new
        for zone in entry["zones"]:
            if (zone, entry["school_year"]) in replaced and not from_new:
                continue
            key = (entry["school_year"], entry["description"], str(entry["start"]),
                   str(entry["end"]) if entry["end"] else None)  # fmt: skip
            rows.setdefault(key, set()).add(zone)
    return [{"zones": sorted(zones), "school_year": year, "description": description,
             "start": start, "end": end}
            for (year, description, start, end), zones in sorted(
                rows.items(), key=lambda item: (item[0][2], sorted(item[1])))]  # fmt: skip
