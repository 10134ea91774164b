"""The school calendar on phones: the same days as the web agenda's «Calendrier scolaire»
(``calendar_app.school``: the school holidays of the zone of the person's établissement's
académie and the public holidays, this school year and the next) written into a read-only
collection of the person's home (``dav.read_only.SCHOOL_CALENDAR``), because phones discover
calendars only there. The web agenda keeps computing its own and does not list this one.

Written when it differs from what was last written (``SchoolCalendarCopy.digest``: the
zone, the établissement and the data file all change it): nightly for everyone, after
``import_school_holidays``, and at a person's first visit of the agenda's school page."""

import contextlib
import hashlib
import logging
from datetime import UTC, date, datetime

import icalendar
from django.contrib.auth import get_user_model

from accounts import account_mail
from calendar_app import ical, school
from calendar_app.models import SchoolCalendarCopy
from dav import read_only
from dav.client import DavConflict, DavNotFound, DavUnavailable, dav_session

logger = logging.getLogger(__name__)
COLLECTION = read_only.SCHOOL_CALENDAR
STAMP = datetime(2026, 1, 1, tzinfo=UTC)  # fixed: a day off's text depends on the data only


def span(today: date | None = None) -> tuple[date, date]:
    """From 1 August of this school year to the end of the next one."""
    today = today or date.today()
    first = date(today.year if today.month >= 8 else today.year - 1, 8, 1)
    return first, first.replace(year=first.year + 2)


def _vevent(occurrence: ical.Occurrence) -> str:
    """A day off as a phone shows it: all day, «libre» (never busy), no alarm."""
    event = icalendar.Event()
    event.add("UID", f"{occurrence.uid}@calendrier-scolaire")
    event.add("DTSTAMP", STAMP)
    event.add("SUMMARY", occurrence.title)
    event.add("DTSTART", occurrence.start)
    event.add("DTEND", occurrence.end)
    event.add("TRANSP", "TRANSPARENT")
    event.add("CLASS", "PUBLIC")
    return ical.serialize(ical.wrap(event))


def _day(text: str) -> tuple:
    """What a phone shows of a day off (the store may write the text its own way)."""
    try:
        event = ical.master(ical.parse(text))
    except ical.BadCalendarData:
        return ()
    return tuple(str(event.get(name, "")) if name in ("SUMMARY", "TRANSP")
                 else getattr(event.get(name), "dt", None)
                 for name in ("SUMMARY", "DTSTART", "DTEND", "TRANSP"))  # fmt: skip


def wanted(user, today: date | None = None) -> tuple[str, dict[str, str]]:
    """(the calendar's name as the person reads it, href → iCalendar text)."""
    first, last = span(today)
    with account_mail.in_language_of(user):
        name = school.entry_for(user, [])["display_name"]
        days = school.days_off(school.place_of(user), first, last)
    return name, {f"{o.uid}.ics": _vevent(o) for o in days}


def _digest(name: str, events: dict[str, str]) -> str:
    parts = [name] + [f"{k}\0{events[k]}" for k in sorted(events)]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def sync_person(user, today: date | None = None) -> int:
    """Brings the person's copy in line; returns the events written or removed."""
    name, events = wanted(user, today)
    digest = _digest(name, events)
    state = SchoolCalendarCopy.objects.filter(owner=user).first()
    if state is not None and state.digest == digest:
        return 0
    changed = 0
    with dav_session(user.username) as store:
        calendars = {c.name: c for c in store.calendars()}
        if COLLECTION not in calendars:
            with contextlib.suppress(DavConflict):  # made meanwhile by another sync of theirs
                store.make_calendar(COLLECTION, name, school.COLOR)
        elif calendars[COLLECTION].display_name != name:
            store.update_calendar(COLLECTION, display_name=name, color=school.COLOR)
        stored = {r.href: r for r in store.all_resources(COLLECTION)}
        for href, text in events.items():
            old = stored.get(href)
            if old is None or _day(old.text) != _day(text):
                store.replace(COLLECTION, href, text, etag=old.etag if old else None)
                changed += 1
        for href in set(stored) - set(events):
            with contextlib.suppress(DavNotFound):  # removed meanwhile: as good
                store.delete(COLLECTION, href, etag=stored[href].etag)
            changed += 1
    SchoolCalendarCopy.objects.update_or_create(owner=user, defaults={"digest": digest})
    return changed


def sync_everyone() -> int:
    """Nightly and after the holidays' file is refreshed: every active person."""
    total = 0
    people = get_user_model().objects.filter(is_active=True, directory_entry__isnull=False)
    for user in people.exclude(status=get_user_model().Status.DISABLED).select_related(
            "etablissement").iterator():  # fmt: skip
        try:
            total += sync_person(user)
        except DavUnavailable:
            logger.warning("school calendars: the store does not answer; next run")
            break
    return total
