"""The school calendar: the shipped holidays and the académie → zone data, public holidays
computed (Easter-based ones too), the refresh from an official-style .ics, and what knows
them: the right-to-disconnect hold, quiet hours and the absence message."""

import io
import json
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from directory import school_calendar
from directory.models import Etablissement
from mail.models import Mailbox, Vacation
from mail.outgoing.working_hours import hold_until, next_working_start
from mail.pipeline import vacation
from notifications.models import NotificationSettings
from notifications.quiet import in_quiet_hours

PARIS = ZoneInfo("Europe/Paris")
FIXTURE = Path(__file__).parent / "fixtures" / "school" / "Zone-C.ics"


def paris(*args) -> datetime:
    return datetime(*args, tzinfo=PARIS)


def test_the_shipped_holidays_start_on_a_saturday_and_end_on_a_monday():
    holidays = school_calendar.all_holidays()
    year = ["Vacances de la Toussaint", "Vacances de Noël", "Vacances d'hiver",
            "Vacances de printemps", "Pont de l'Ascension", "Vacances d'été"]
    for zone in "ABC":  # 2026-2027 and 2027-2028
        mine = [h for h in holidays if h.zone == zone and h.start >= date(2026, 9, 1)]
        assert [h.description for h in mine] == year + year
    for holiday in [h for h in holidays if h.zone in "ABC"]:  # overseas: their own test
        if holiday.description == "Pont de l'Ascension":  # from Ascension Thursday
            assert holiday.start == school_calendar.easter(holiday.start.year) + timedelta(39)
        elif holiday.description != "Vacances d'été":  # 2028's begins on a Tuesday
            assert holiday.start.isoweekday() == 6, holiday
        # Classes resume on a Monday, or on the Tuesday after a Monday that is a public holiday.
        resume = holiday.end
        if resume.isoweekday() == 2:
            assert school_calendar.is_public_holiday(resume - timedelta(1)), holiday
        else:
            assert resume.isoweekday() == 1 or holiday.description == "Vacances d'été", holiday


@pytest.mark.parametrize(("academie", "zone"), [
    ("Toulouse", "C"), ("Créteil", "C"), ("Grenoble", "A"), ("Lille", "B"), ("Corse", "Corse"),
    ("La Réunion", "La Réunion"), ("Atlantide", ""),
])  # fmt: skip
def test_academie_to_zone(academie, zone):
    assert school_calendar.zone_of(academie) == zone


@pytest.mark.django_db
def test_an_etablissement_has_the_academie_of_its_uai_unless_told_otherwise():
    toulouse = Etablissement.objects.create(uai="0311234Y", name="Lycée", kind="lycee")
    grenoble = Etablissement.objects.create(uai="0381234X", name="Collège", kind="college")
    moved = Etablissement.objects.create(uai="0311111A", name="Service", kind="service",
                                         academie="Paris")  # fmt: skip
    assert school_calendar.academie_of(toulouse) == "Toulouse"
    assert school_calendar.academie_of(grenoble) == "Grenoble"
    assert school_calendar.academie_of(moved) == "Paris"
    # Every metropolitan département belongs to exactly one académie.
    prefixes = [p for a in school_calendar.academies() for p in
                school_calendar._academies()[a]["uai_prefixes"]]  # fmt: skip
    assert len(prefixes) == len(set(prefixes)) == 96 + 5


def test_public_holidays_with_easter_and_local_ones():
    assert [school_calendar.easter(y) for y in (2024, 2025, 2026, 2027, 2038)] == [
        date(2024, 3, 31), date(2025, 4, 20), date(2026, 4, 5), date(2027, 3, 28),
        date(2038, 4, 25)]  # fmt: skip
    days = school_calendar.public_holidays(2027)
    assert len(days) == 11
    assert days[date(2027, 3, 29)] == "Lundi de Pâques"
    assert days[date(2027, 5, 6)] == "Ascension"
    assert days[date(2027, 5, 17)] == "Lundi de Pentecôte"
    alsace = school_calendar.public_holidays(2027, "0671234A")
    assert alsace[date(2027, 3, 26)] == "Vendredi saint" and date(2027, 12, 26) in alsace
    assert school_calendar.public_holidays(2027, "9741234A")[date(2027, 12, 20)] == (
        "Abolition de l'esclavage")


@pytest.mark.django_db  # the phones' copies are queued once the data file is written
def test_the_command_refreshes_one_zone_from_an_official_ics(holidays_copy):
    out = io.StringIO()
    call_command("import_school_holidays", str(FIXTURE), stdout=out)
    assert "3 holidays imported for C" in out.getvalue()
    data = json.loads(holidays_copy.read_text())
    zone_c = [h for h in data["holidays"] if "C" in h["zones"]]
    assert [(h["description"], h["start"], h["end"]) for h in zone_c
            if h["school_year"] == "2026-2027"] == [
        ("Vacances de la Toussaint", "2026-10-17", "2026-11-02"),
        ("Vacances d'Hiver", "2027-02-06", "2027-02-22"),
        ("Vacances d'été", "2027-07-03", "2027-09-01"),  # closed by the rentrée of the file
    ]  # the exam is not a holiday
    # The school years and zones the file does not hold are kept.
    assert len([h for h in zone_c if h["school_year"] == "2027-2028"]) == 6
    zone_a = [h["description"] for h in data["holidays"] if "A" in h["zones"]]
    assert len(zone_a) == 12
    assert school_calendar.in_school_holidays(date(2027, 8, 31), "C")
    assert not school_calendar.in_school_holidays(date(2027, 4, 5), "C")  # not in the file


def test_the_command_says_what_is_wrong(holidays_copy, tmp_path):
    empty = tmp_path / "vide.ics"
    empty.write_text("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n")
    with pytest.raises(Exception, match="no school holidays found"):
        call_command("import_school_holidays", str(empty))


@pytest.fixture
def academie_hours(settings):
    settings.WORKING_HOURS = "08:00-18:00"
    settings.WORKING_DAYS = [1, 2, 3, 4, 5]
    with timezone.override(PARIS):
        yield


def test_held_mail_waits_for_a_working_day_not_a_public_holiday(academie_hours):
    # Maundy Thursday evening → Friday is worked, Easter Monday is not.
    assert hold_until(["louis.bernard@ac-demo.test"], paris(2027, 3, 26, 19)) == (
        paris(2027, 3, 30, 8, 0))
    # Christmas Eve 2026 is a Thursday: Friday 25 is a holiday, so Monday 28.
    assert next_working_start(paris(2026, 12, 24, 18, 30)) == paris(2026, 12, 28, 8, 0)
    # On 14 July itself, nothing leaves before the 15th.
    assert hold_until(["louis.bernard@ac-demo.test"], paris(2027, 7, 14, 10)) == (
        paris(2027, 7, 15, 8, 0))


@pytest.mark.django_db
def test_public_holidays_are_quiet_like_weekends(prof):
    preferences = NotificationSettings.of(prof)
    assert in_quiet_hours(preferences, paris(2027, 5, 6, 10), PARIS)  # Ascension
    assert not in_quiet_hours(preferences, paris(2027, 5, 5, 10), PARIS)
    preferences.quiet_weekends = False
    assert not in_quiet_hours(preferences, paris(2027, 5, 6, 10), PARIS)


@pytest.mark.django_db
def test_an_absence_message_during_the_school_holidays_of_the_mailboxs_zone(prof):
    box = Mailbox.objects.get(owner=prof)  # Lycée 0311234Y: Toulouse, zone C
    message = vacation.set_vacation(box, enabled=True, subject="Absent", body="Bonjour",
                                    school_holidays=True)  # fmt: skip
    assert vacation.in_force(message, date(2026, 10, 20))  # Toussaint
    assert not vacation.in_force(message, date(2026, 11, 10))
    assert vacation.in_force(message, date(2027, 2, 8))  # zone C's winter
    assert not vacation.in_force(message, date(2027, 2, 27))  # zone A's, not C's
    prof.etablissement.academie = "Grenoble"
    prof.etablissement.save()
    box.refresh_from_db()
    message = Vacation.objects.get(pk=message.pk)
    assert vacation.in_force(message, date(2027, 2, 27))
    message.ends_on = date(2027, 2, 20)
    assert not vacation.in_force(message, date(2027, 2, 27))  # the dates still apply
