"""The school calendar in the agenda: a read-only calendar of the school holidays of the
person's zone (their établissement's académie) and the public holidays, made from
directory.school_calendar's data (no store, no network)."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils.translation import gettext as _

from calendar_app import ical
from directory import school_calendar

CALENDAR = "calendrier-scolaire"  # its name among the person's calendars (hidden or shown)
COLOR = "#18753c"


@dataclass(frozen=True)
class Place:
    academie: str
    zone: str
    uai: str


def place_of(user) -> Place:
    academie, zone = school_calendar.zone_for_user(user)
    etablissement = getattr(user, "etablissement", None)
    return Place(academie, zone, etablissement.uai if etablissement else "")


def _all_day(title: str, first: date, end: date, key: str) -> ical.Occurrence:
    return ical.Occurrence(calendar=CALENDAR, href=key, etag="", uid=key, title=title,
                           start=first, end=end, all_day=True, color=COLOR, busy=False,
                           category="")  # fmt: skip


def days_off(place: Place, first: date, last: date) -> list[ical.Occurrence]:
    """School holidays and public holidays overlapping [first, last)."""
    found = [_all_day(h.description, h.start, h.end, f"vacances-{h.zone}-{h.start}")
             for h in school_calendar.school_holidays(place.zone, first, last)]  # fmt: skip
    for year in range(first.year, last.year + 1):
        for day, name in school_calendar.public_holidays(year, place.uai).items():
            if first <= day < last:
                found.append(_all_day(name, day, day + timedelta(days=1), f"ferie-{day}"))
    return found


def occurrences(user, start: datetime, end: datetime) -> list[ical.Occurrence]:
    return days_off(place_of(user), start.date(), end.date() + timedelta(days=1))


def entry_for(user, hidden_calendars: list[str]) -> dict:
    """The school calendar as the agenda's list of calendars shows it."""
    place = place_of(user)
    name = (_("School calendar (zone %(zone)s)") % {"zone": place.zone} if place.zone
            else _("Public holidays"))  # fmt: skip
    return {"name": CALENDAR, "display_name": name, "color": COLOR,
            "hidden": CALENDAR in hidden_calendars}  # fmt: skip


def public_holidays_between(user, first: date, last: date) -> list[date]:
    """The public holidays of the person's place in [first, last) (free/busy skips them)."""
    uai = place_of(user).uai
    return [day for year in range(first.year, last.year + 1)
            for day in school_calendar.public_holidays(year, uai) if first <= day < last]


def not_published(place: Place, school_year: str) -> list[str]:
    """The holidays of the place's school year that the data file leaves out (unconfirmed)."""
    return school_calendar.missing(place.zone, school_year)
