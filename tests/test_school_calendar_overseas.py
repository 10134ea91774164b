"""The school calendar of Corse and of the overseas académies: what the shipped file holds
for them (only dates read from named pages, each zone and school year with its sources),
what a person of their établissements sees, the import of a rectorat's .ics for them, and
the absence message and the hold with their holidays."""

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from directory import school_calendar
from directory.models import Etablissement
from directory.school_holidays_ics import school_year
from mail.models import Mailbox
from mail.outgoing.working_hours import hold_until
from mail.pipeline import vacation
from tests.agenda_helpers import empty_store  # noqa: F401 - fixture

PARIS = ZoneInfo("Europe/Paris")
REUNION = "La Réunion"


def test_la_reunion_2026_2027_is_shipped_as_read_and_says_what_is_left_out():
    mine = [(h.description, h.start, h.end) for h in school_calendar.all_holidays()
            if h.zone == REUNION]  # fmt: skip
    assert mine == [
        ("Vacances après la 1re période", date(2026, 10, 10), date(2026, 10, 26)),
        ("Vacances d'été austral", date(2026, 12, 19), date(2027, 2, 1)),
        # Classes stop after class on Tuesday 16 March; Easter Monday (29) is a holiday.
        ("Vacances après la 3e période", date(2027, 3, 17), date(2027, 3, 30)),
        ("Vacances après la 4e période", date(2027, 5, 6), date(2027, 5, 19)),
    ]
    assert school_calendar.missing(REUNION, "2026-2027") == ["Vacances d'hiver austral"]
    assert school_calendar.missing(REUNION, "2027-2028") == []  # nothing at all: see below
    assert school_calendar.missing("C", "2026-2027") == []


def test_every_zone_and_year_beyond_a_b_c_names_where_it_was_read():
    sources = json.loads(school_calendar.holidays_file().read_text("utf-8"))["sources"]
    shipped = {f"{h.zone} {school_year(h.start)}" for h in school_calendar.all_holidays()
               if h.zone not in "ABC"}  # fmt: skip
    assert shipped == {"La Réunion 2026-2027"}
    for key in shipped:
        assert sources[key]["read_on"] and sources[key]["urls"], key
    for zone in ("Corse", "Guadeloupe", "Martinique", "Guyane", "Mayotte"):  # not confirmed
        assert not [h for h in school_calendar.all_holidays() if h.zone == zone]


def _person(prof, uai: str, name: str):
    prof.etablissement = Etablissement.objects.create(uai=uai, name=name, kind="lycee")
    prof.save()
    return prof


def _school_page(client, person, time_machine) -> str:
    time_machine.move_to(datetime(2026, 12, 7, 9, tzinfo=PARIS), tick=False)
    client.force_login(person)
    return client.get("/agenda/calendrier-scolaire/").content.decode()


@pytest.mark.usefixtures("empty_store")
def test_a_person_of_la_reunion_sees_its_holidays_and_what_is_not_published(
        client, prof, time_machine):  # fmt: skip
    page = _school_page(client, _person(prof, "9741234A", "Lycée Leconte-de-Lisle"),
                        time_machine)  # fmt: skip
    assert "zone La Réunion (académie de La Réunion)" in page
    assert "Vacances d&#x27;été austral" in page
    assert "samedi 19 décembre 2026" in page and "lundi 1 février 2027" in page
    assert "Vacances de Noël" not in page  # the zones' A, B, C
    assert "Abolition de l&#x27;esclavage" in page  # 20 December, the département's own
    assert "Pas encore publiées : Vacances d&#x27;hiver austral." in page
    next_year = page.split("Année scolaire 2027-2028")[1]
    assert "Les vacances scolaires de cette année ne sont pas encore publiées." in next_year


@pytest.mark.usefixtures("empty_store")
def test_a_person_of_corse_sees_that_its_holidays_are_not_published(
        client, prof, time_machine):  # fmt: skip
    page = _school_page(client, _person(prof, "7200001A", "Lycée de Bastia"), time_machine)
    assert "zone Corse (académie de Corse)" in page
    assert page.count("Les vacances scolaires de cette année ne sont pas encore publiées.") == 2
    assert "Lundi de Pâques" in page and "Pas encore publiées :" not in page


def _ics(tmp_path, name: str, events: list[tuple[str, str, str | None]]):
    """A rectorat-style .ics. Its dates are made up for the test, not a real calendar."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Test//Rectorat//FR"]
    for number, (summary, start, end) in enumerate(events):
        lines += ["BEGIN:VEVENT", f"UID:{number}@test", "DTSTAMP:20261201T000000Z",
                  f"DTSTART;VALUE=DATE:{start}", f"SUMMARY:{summary}"]  # fmt: skip
        lines += [f"DTEND;VALUE=DATE:{end}"] if end else []
        lines.append("END:VEVENT")
    path = tmp_path / name
    path.write_text("\r\n".join([*lines, "END:VCALENDAR", ""]), "utf-8")
    return path


@pytest.mark.usefixtures("empty_store")
def test_a_rectorats_ics_fills_a_zone_and_says_where_it_came_from(
        client, prof, holidays_copy, tmp_path, time_machine):  # fmt: skip
    corse = _ics(tmp_path, "Corse.ics", [("Vacances de la Toussaint", "20261017", "20261102")])
    call_command("import_school_holidays", str(corse), "--zone", "Corse")
    reunion = _ics(tmp_path, "Reunion.ics", [
        ("Vacances d'hiver austral - La Réunion", "20270703", "20270817")])
    call_command("import_school_holidays", str(reunion))
    data = json.loads(holidays_copy.read_text("utf-8"))
    assert data["sources"]["Corse 2026-2027"]["files"] == "Corse.ics"
    assert "missing" not in data["sources"]["La Réunion 2026-2027"]  # the import replaced it
    assert data["sources"]["La Réunion 2026-2027"]["files"] == "Reunion.ics"
    assert school_calendar.in_school_holidays(date(2026, 10, 20), "Corse")

    page = _school_page(client, _person(prof, "6200001A", "Lycée Fesch"), time_machine)
    assert "Vacances de la Toussaint" in page and "samedi 17 octobre 2026" in page
    assert page.count("ne sont pas encore publiées") == 1  # 2027-2028 only


@pytest.mark.django_db
def test_the_absence_message_and_the_hold_with_la_reunions_holidays(prof, settings):
    _person(prof, "9741234A", "Lycée Leconte-de-Lisle")
    box = Mailbox.objects.get(owner=prof)
    message = vacation.set_vacation(box, enabled=True, subject="Absent", body="Bonjour",
                                    school_holidays=True)  # fmt: skip
    assert vacation.zone_of_mailbox(box) == REUNION
    assert vacation.in_force(message, date(2026, 10, 12))  # its 1st period
    assert not vacation.in_force(message, date(2026, 10, 28))  # back in class; the zones' Toussaint
    assert vacation.in_force(message, date(2027, 1, 20))  # été austral
    assert vacation.in_force(message, date(2027, 3, 18))
    assert not vacation.in_force(message, date(2027, 3, 16))  # class until the evening
    # Staff work during school holidays: held mail is released on the next working day.
    settings.WORKING_HOURS = "08:00-18:00"
    settings.WORKING_DAYS = [1, 2, 3, 4, 5]
    with timezone.override(PARIS):
        friday = datetime(2026, 12, 18, 19, tzinfo=PARIS)
        assert hold_until(["louis.bernard@ac-demo.test"], friday) == (
            datetime(2026, 12, 21, 8, tzinfo=PARIS))
