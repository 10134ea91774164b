"""Free/busy at /agenda/disponibilites/: from the derived index, «libre» is not busy, a
private event is «Occupé» with its time only, series expanded, bad parameters in French."""

import io
import json
from datetime import datetime

import pytest
from django.core.management import call_command

from calendar_app import ical, privacy, services
from calendar_app.index import reindex_collection
from calendar_app.models import BusyPeriod
from dav.client import dav_session
from tests.agenda_helpers import PARIS, empty_store, phone, vevent  # noqa: F401 - fixture
from tests.conftest import PASSWORD, wait_for

pytestmark = pytest.mark.usefixtures("empty_store")
URL = "/agenda/disponibilites/"
WEEK = {"debut": "2026-11-16T00:00:00+01:00", "fin": "2026-11-23T00:00:00+01:00"}


def _put(login: str, uid: str, summary: str, start: datetime, end: datetime, extra: str = "",
         etag: str | None = None):  # fmt: skip
    with dav_session(login) as store:
        store.put("personnel", f"{uid}.ics", vevent(uid, summary, start, end, extra), etag=etag)


@pytest.fixture
def colleague_week(colleague):
    """Louis's week of 16 November 2026, written by a phone-like client, then indexed."""
    services.calendars_of(colleague)  # «Personnel» exists
    _put("collegue.demo", "public-1", "Conseil pédagogique", datetime(2026, 11, 16, 10),
         datetime(2026, 11, 16, 11), "LOCATION:Salle 12\r\n")  # fmt: skip
    _put("collegue.demo", "private-1", "Rendez-vous médical", datetime(2026, 11, 16, 14),
         datetime(2026, 11, 16, 15),
         "CLASS:PRIVATE\r\nLOCATION:Cabinet Dr Roux\r\nDESCRIPTION:Résultats\r\n"
         "ATTENDEE:mailto:dr.roux@example.org\r\n")  # fmt: skip
    _put("collegue.demo", "confidential-1", "Entretien RH", datetime(2026, 11, 17, 16),
         datetime(2026, 11, 17, 17), "CLASS:CONFIDENTIAL\r\n")  # fmt: skip
    _put("collegue.demo", "free-1", "Permanence (libre)", datetime(2026, 11, 16, 16),
         datetime(2026, 11, 16, 17), "TRANSP:TRANSPARENT\r\n")  # fmt: skip
    _put("collegue.demo", "weekly-1", "Cours 3e A", datetime(2026, 9, 1, 8),
         datetime(2026, 9, 1, 9), "RRULE:FREQ=WEEKLY;BYDAY=TU\r\n")  # fmt: skip
    reindex_collection("collegue.demo", "personnel")
    return colleague


def _busy(client, *emails, **params) -> dict:
    response = client.get(URL, {"email": list(emails), **WEEK, **params})
    assert response.status_code == 200, response.content
    return response.json()


def test_others_see_times_only_private_and_free_events_never_leak(client, prof, colleague_week):
    client.force_login(prof)
    answer = _busy(client, colleague_week.email)
    person = answer["personnes"][0]
    assert person["connu"] and person["nom"] == "Louis Bernard"
    times = [(p["debut"], p["fin"]) for p in person["occupe"]]
    assert times == [
        ("2026-11-16T10:00:00+01:00", "2026-11-16T11:00:00+01:00"),
        ("2026-11-16T14:00:00+01:00", "2026-11-16T15:00:00+01:00"),
        ("2026-11-17T08:00:00+01:00", "2026-11-17T09:00:00+01:00"),  # the weekly course
        ("2026-11-17T16:00:00+01:00", "2026-11-17T17:00:00+01:00"),
    ]  # the «libre» 16:00 on Monday is not busy
    assert {p["titre"] for p in person["occupe"]} == {"Occupé"}
    raw = json.dumps(answer, ensure_ascii=False)
    for secret in ("Rendez-vous", "Roux", "Résultats", "Entretien", "Salle 12", "Conseil"):
        assert secret not in raw


def test_public_holidays_of_the_range_come_with_the_answer(client, prof):
    client.force_login(prof)
    answer = _busy(client, prof.email, debut="2026-11-09", fin="2026-11-16")
    assert answer["jours_feries"] == ["2026-11-11"]  # the «premier créneau» skips them


def test_the_owner_sees_titles_of_her_own_events_private_ones_too(client, colleague_week):
    client.force_login(colleague_week)
    titles = [p["titre"] for p in _busy(client, colleague_week.email)["personnes"][0]["occupe"]]
    assert titles == ["Conseil pédagogique", "Rendez-vous médical", "Cours 3e A", "Entretien RH"]


def test_several_people_unknown_addresses_and_case(client, prof, colleague_week):
    client.force_login(prof)
    answer = _busy(client, colleague_week.email.upper(), prof.email, "personne@example.org")
    first, second, third = answer["personnes"]
    assert first["connu"] and len(first["occupe"]) == 4
    assert second["connu"] and second["occupe"] == []
    assert not third["connu"] and third["occupe"] == []


def test_a_series_is_expanded_beyond_the_indexed_window(client, prof, colleague_week):
    client.force_login(prof)
    answer = _busy(client, colleague_week.email, debut="2030-01-07", fin="2030-01-14")
    assert [p["debut"] for p in answer["personnes"][0]["occupe"]] == ["2030-01-08T08:00:00+01:00"]


def test_a_change_on_the_phone_reaches_free_busy(client, prof, colleague_week):
    client.force_login(prof)
    with dav_session("collegue.demo") as store:
        etag = store.get("personnel", "public-1.ics").etag
    _put("collegue.demo", "public-1", "Conseil pédagogique", datetime(2026, 11, 16, 10),
         datetime(2026, 11, 16, 11), "TRANSP:TRANSPARENT\r\n", etag=etag)  # fmt: skip
    with dav_session("collegue.demo") as store:
        store.delete("personnel", "weekly-1.ics", etag=store.get("personnel", "weekly-1.ics").etag)
    reindex_collection("collegue.demo", "personnel")
    periods = _busy(client, colleague_week.email)["personnes"][0]["occupe"]
    starts = [p["debut"][:16] for p in periods]
    assert starts == ["2026-11-16T14:00", "2026-11-17T16:00"]


@pytest.mark.parametrize(("params", "message"), [
    ({"debut": "2026-11-16", "fin": "2026-11-23"}, "au moins une adresse"),
    ({"email": "pas-une-adresse", **WEEK}, "pas une adresse"),
    ({"email": "a@ac-demo.test", "debut": "lundi", "fin": "2026-11-23"}, "ISO 8601"),
    ({"email": "a@ac-demo.test", "debut": "2026-11-23", "fin": "2026-11-16"}, "après"),
    ({"email": "a@ac-demo.test", "debut": "2026-01-01", "fin": "2026-12-31"}, "42 jours"),
])  # fmt: skip
def test_bad_parameters_get_a_french_error(client, prof, params, message):
    client.force_login(prof)
    response = client.get(URL, params)
    assert response.status_code == 400
    assert message in response.json()["erreur"]


def test_only_signed_in_people(client):
    response = client.get(URL, {"email": "a@ac-demo.test", **WEEK})
    assert response.status_code == 302 and "disponibilites" in response["Location"]


def test_the_rule_hides_every_detail_of_a_private_occurrence(prof, colleague):
    occurrence = ical.Occurrence(
        calendar="personnel", href="x.ics", etag="", uid="x", title="Rendez-vous médical",
        start=datetime(2026, 11, 16, 14, tzinfo=PARIS), end=datetime(2026, 11, 16, 15,
        tzinfo=PARIS), all_day=False, location="Cabinet", description="Résultats",
        category="perso", private=True, reminders=[15])  # fmt: skip
    seen = privacy.occurrence_for(prof, colleague, occurrence)
    assert (seen.title, seen.location, seen.description, seen.category) == ("Occupé", "", "", "")
    assert seen.start == occurrence.start and seen.end == occurrence.end
    assert privacy.occurrence_for(colleague, colleague, occurrence) is occurrence


def test_a_private_event_made_on_a_phone_reaches_free_busy_through_the_hook(
        client, prof, colleague, live_server, worker):  # fmt: skip
    services.calendars_of(colleague)
    calendar = phone(live_server, "collegue.demo", PASSWORD).calendar(
        url=f"{live_server.url}/dav/collegue.demo/personnel/")
    calendar.add_event(vevent("phone-private", "Rendez-vous banque", datetime(2026, 11, 18, 9),
                              datetime(2026, 11, 18, 10), "CLASS:CONFIDENTIAL\r\n"))  # fmt: skip
    # The hook queued the worker, which indexed the change and its busy period.
    wait_for(lambda: BusyPeriod.objects.filter(owner=colleague).exists())
    client.force_login(prof)
    [period] = _busy(client, colleague.email)["personnes"][0]["occupe"]
    assert (period["debut"], period["titre"]) == ("2026-11-18T09:00:00+01:00", "Occupé")


def test_reindex_agenda_rebuilds_the_busy_periods(client, prof, colleague_week):
    BusyPeriod.objects.all().delete()
    call_command("reindex_agenda", stdout=io.StringIO())
    client.force_login(prof)
    assert len(_busy(client, colleague_week.email)["personnes"][0]["occupe"]) == 4


def test_a_series_by_the_second_has_no_busy_period_and_hangs_nothing(client, prof, colleague):
    services.calendars_of(colleague)
    _put("collegue.demo", "every-second", "Boucle", datetime(2026, 11, 16, 9),
         datetime(2026, 11, 16, 9, 0, 1), "RRULE:FREQ=SECONDLY\r\n")  # fmt: skip
    reindex_collection("collegue.demo", "personnel")
    assert not BusyPeriod.objects.filter(owner=colleague).exists()
    client.force_login(prof)
    for debut, fin in (("2026-11-16", "2026-11-17"), ("2030-01-07", "2030-01-08")):
        answer = _busy(client, colleague.email, debut=debut, fin=fin)
        assert answer["personnes"][0]["occupe"] == []
