"""The school calendar: official school holidays by zone (a data file shipped in the repo,
refreshed by `manage.py import_school_holidays`), the académie → zone mapping (data too),
and public holidays (jours fériés), computed. No network at run time.

Used by the agenda (a read-only calendar), the right-to-disconnect hold (held mail waits for
a working day, not a public holiday) and the absence message («pendant les vacances
scolaires»).
"""

import json
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path

from django.conf import settings

DATA = Path(__file__).with_name("school_data")
SUMMER_END = (8, 31)  # a summer without a fixed rentrée is shown until 31 August (included)


@dataclass(frozen=True)
class Holiday:
    description: str
    start: date  # the first day without class
    end: date  # the day classes resume (exclusive)
    zone: str


def holidays_file() -> Path:
    return Path(settings.SCHOOL_HOLIDAYS_FILE or DATA / "vacances_scolaires.json")


@cache
def _academies() -> dict[str, dict]:
    return json.loads((DATA / "academies.json").read_text(encoding="utf-8"))["academies"]


@cache
def _data(path: Path, _mtime: float) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def _holidays(path: Path, mtime: float) -> tuple[Holiday, ...]:
    found = []
    for item in _data(path, mtime)["holidays"]:
        start = date.fromisoformat(item["start"])
        end = (date.fromisoformat(item["end"]) if item.get("end")
               else date(start.year, *SUMMER_END) + timedelta(days=1))  # fmt: skip
        found.extend(Holiday(item["description"], start, end, zone) for zone in item["zones"])
    return tuple(sorted(found, key=lambda h: (h.start, h.zone)))


def all_holidays() -> tuple[Holiday, ...]:
    path = holidays_file()
    return _holidays(path, path.stat().st_mtime)  # a refreshed file is read again


def missing(zone: str, school_year: str) -> list[str]:
    """The holidays of a zone's school year known to be left out of the file (its dates
    could not be confirmed): «sources» in the file says so, per zone and school year."""
    path = holidays_file()
    sources = _data(path, path.stat().st_mtime).get("sources", {})
    return list(sources.get(f"{zone} {school_year}", {}).get("missing", []))


def academie_of(etablissement) -> str:
    """The établissement's académie: its own field, else the one of its UAI's département."""
    if etablissement is None:
        return settings.SCHOOL_ACADEMIE
    if getattr(etablissement, "academie", ""):
        return etablissement.academie
    for name, data in _academies().items():
        if etablissement.uai[:3] in data["uai_prefixes"]:
            return name
    return settings.SCHOOL_ACADEMIE


def zone_of(academie: str) -> str:
    """«A», «B», «C», «Corse», or an overseas académie's own name; "" when unknown."""
    data = _academies().get(academie)
    return data["zone"] if data else ""


def academies() -> list[str]:
    return sorted(_academies())


def school_holidays(zone: str, first: date, last: date) -> list[Holiday]:
    """The holidays of ``zone`` overlapping [first, last)."""
    return [h for h in all_holidays() if h.zone == zone and h.start < last and h.end > first]


def in_school_holidays(day: date, zone: str) -> bool:
    return bool(zone) and bool(school_holidays(zone, day, day + timedelta(days=1)))


def easter(year: int) -> date:
    """Easter Sunday (Gregorian calendar; the anonymous algorithm of 1876)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 19 * l_) // 433
    month = (h + l_ - 7 * m + 90) // 25
    return date(year, month, (h + l_ - 7 * m + 33 * month + 19) % 32)


# Public holidays of some départements only (Code du travail L3134-13; the abolition of
# slavery, décret 83-1003), by the UAI's first three characters.
_LOCAL = {
    "057": ("good_friday", "saint_stephen"), "067": ("good_friday", "saint_stephen"),
    "068": ("good_friday", "saint_stephen"),
    "971": ((5, 27),), "972": ((5, 22),), "973": ((6, 10),), "974": ((12, 20),),
    "976": ((4, 27),),
}  # fmt: skip
_ABOLITION = "Abolition de l'esclavage"


def public_holidays(year: int, uai: str = "") -> dict[date, str]:
    """The jours fériés of ``year`` (names in French, as the law names them); with an
    établissement's UAI, those of its département too (Alsace-Moselle, overseas)."""
    sunday = easter(year)
    days = {
        date(year, 1, 1): "Jour de l'an", sunday + timedelta(days=1): "Lundi de Pâques",
        date(year, 5, 1): "Fête du Travail", date(year, 5, 8): "Victoire 1945",
        sunday + timedelta(days=39): "Ascension", sunday + timedelta(days=50): "Lundi de Pentecôte",
        date(year, 7, 14): "Fête nationale", date(year, 8, 15): "Assomption",
        date(year, 11, 1): "Toussaint", date(year, 11, 11): "Armistice 1918",
        date(year, 12, 25): "Noël",
    }  # fmt: skip
    for extra in _LOCAL.get(uai[:3], ()):
        if extra == "good_friday":
            days[sunday - timedelta(days=2)] = "Vendredi saint"
        elif extra == "saint_stephen":
            days[date(year, 12, 26)] = "Saint-Étienne"
        else:
            days[date(year, *extra)] = _ABOLITION
    return dict(sorted(days.items()))


def is_public_holiday(day: date, uai: str = "") -> bool:
    return day in public_holidays(day.year, uai)


def zone_for_user(user) -> tuple[str, str]:
    """(académie, zone) of a person, from their établissement."""
    academie = academie_of(getattr(user, "etablissement", None))
    return academie, zone_of(academie)
