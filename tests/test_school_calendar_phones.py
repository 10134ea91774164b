"""The school calendar on phones: written into a read-only collection of the person's home
(real Radicale, read by a phone through /dav/), following the zone of their établissement's
académie and the holidays' data file, rewritten only when one of them changes; the web
agenda does not list it twice."""

import json
from datetime import date

import pytest
from caldav.lib import error

from calendar_app import school_copy, services
from calendar_app.models import SchoolCalendarCopy
from dav import read_only
from directory.models import Etablissement
from tests.agenda_helpers import empty_store, phone  # noqa: F401 - fixture
from tests.conftest import PASSWORD

pytestmark = pytest.mark.usefixtures("empty_store")
TODAY = date(2026, 12, 6)  # school years 2026-2027 and 2027-2028


def _calendar(live_server, user):
    client = phone(live_server, user.username, PASSWORD)
    url = f"{live_server.url}/dav/{user.username}/{read_only.SCHOOL_CALENDAR}/"
    return client.calendar(url=url)


def _days(calendar) -> dict[str, tuple]:
    """Each name's first occurrence (the copy holds this school year and the next)."""
    found = {}
    for event in calendar.events():
        component = event.icalendar_component
        days = (component["DTSTART"].dt, component["DTEND"].dt, str(component.get("TRANSP")))
        name = str(component["SUMMARY"])
        if name not in found or days < found[name]:
            found[name] = days
    return found


def test_the_school_calendar_is_on_the_phone_read_only(live_server, prof, settings, tmp_path):
    assert school_copy.sync_person(prof, TODAY) > 0
    calendar = _calendar(live_server, prof)
    days = _days(calendar)
    assert days["Vacances de Noël"] == (date(2026, 12, 19), date(2027, 1, 4), "TRANSPARENT")
    assert days["Vacances d'hiver"][0] == date(2027, 2, 6)  # zone C (académie de Toulouse)
    assert "Noël" in days and "Lundi de Pâques" in days  # public holidays too
    names = {c.url: c.get_display_name() for c in phone(live_server, prof.username, PASSWORD)
             .principal().calendars() if c.url.path.rstrip("/").endswith(
                 read_only.SCHOOL_CALENDAR)}  # fmt: skip
    assert list(names.values()) == ["Calendrier scolaire (zone C)"]
    # Read-only for the phone.
    with pytest.raises(error.DAVError):
        calendar.save_event("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Phone//FR\r\n"
                            "BEGIN:VEVENT\r\nUID:x@phone\r\nDTSTAMP:20261201T080000Z\r\n"
                            "DTSTART;VALUE=DATE:20270105\r\nSUMMARY:Ajout\r\nEND:VEVENT\r\n"
                            "END:VCALENDAR\r\n")  # fmt: skip
    with pytest.raises(error.DAVError):
        calendar.events()[0].delete()
    # Unchanged: nothing written again. The web agenda shows its own, not this copy.
    assert school_copy.sync_person(prof, TODAY) == 0
    assert read_only.SCHOOL_CALENDAR not in {c.name for c in services.calendars_of(prof)}

    # The data file changes (an import): the copy follows.
    data = json.loads(school_copy.school.school_calendar.holidays_file().read_text("utf-8"))
    for item in data["holidays"]:
        if item["description"] == "Vacances de Noël" and item["school_year"] == "2026-2027":
            item["start"] = "2026-12-18"
    refreshed = tmp_path / "vacances.json"
    refreshed.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    settings.SCHOOL_HOLIDAYS_FILE = str(refreshed)
    assert school_copy.sync_person(prof, TODAY) == 2  # its key is its start: one out, one in
    assert _days(calendar)["Vacances de Noël"][0] == date(2026, 12, 18)

    # The person moves to an établissement of Corse: the zone follows; its holidays for
    # 2026-2027 are not in the shipped file, so only public holidays remain.
    prof.etablissement = Etablissement.objects.create(uai="6200001A", name="Lycée de Bastia",
                                                      kind="lycee")  # fmt: skip
    prof.save()
    assert school_copy.sync_person(prof, TODAY) > 0
    days = _days(calendar)
    assert "Vacances de Noël" not in days and "Lundi de Pâques" in days
    names = [c.get_display_name() for c in phone(live_server, prof.username, PASSWORD)
             .principal().calendars() if c.url.path.rstrip("/").endswith(
                 read_only.SCHOOL_CALENDAR)]  # fmt: skip
    assert names == ["Calendrier scolaire (zone Corse)"]


def test_everyone_is_written_by_the_nightly_job(live_server, prof, colleague):
    assert school_copy.sync_everyone() > 0
    for person in (prof, colleague):
        assert "Vacances de Noël" in _days(_calendar(live_server, person))
    assert school_copy.sync_everyone() == 0  # nothing changed: no request to the store


def test_a_copy_written_meanwhile_by_another_sync_is_replaced_not_an_error(prof, monkeypatch):
    """The school page and the worker (after an import) may bring one person's copy in line
    at the same moment: what one saw missing, the other has just written."""
    from dav.client import DavSession

    assert school_copy.sync_person(prof, TODAY) > 0
    SchoolCalendarCopy.objects.filter(owner=prof).delete()  # as if never synced
    for method in ("calendars", "all_resources"):  # each read once before the other's writes
        real = getattr(DavSession, method)
        calls = []
        monkeypatch.setattr(DavSession, method, lambda self, *args, real=real, calls=calls: (
            calls.append(1) or real(self, *args)) if calls else (calls.append(1) or []))
    assert school_copy.sync_person(prof, TODAY) > 0
    assert SchoolCalendarCopy.objects.filter(owner=prof).exists()
