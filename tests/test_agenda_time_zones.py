"""An event written in another time zone is shown at the viewer's time (their account's zone)
with its own clock noted beside it; editing it keeps its zone."""

import uuid

import pytest

from accounts.models import Preferences
from dav.client import dav_session
from tests.agenda_helpers import empty_store  # noqa: F401 - fixture

pytestmark = pytest.mark.usefixtures("empty_store")


def _event(title: str, start: str, end: str, zone: str | None) -> str:
    stamp = (lambda name, value: f"{name};TZID={zone}:{value}") if zone else (
        lambda name, value: f"{name}:{value}Z")  # fmt: skip
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Phone//Test//FR\r\nBEGIN:VEVENT\r\n"
        f"UID:{uuid.uuid4()}@phone\r\nDTSTAMP:20260901T080000Z\r\nSUMMARY:{title}\r\n"
        f"{stamp('DTSTART', start)}\r\n{stamp('DTEND', end)}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )


@pytest.fixture
def signed_in(client, prof):
    client.force_login(prof)
    client.get("/agenda/semaine/")  # «Personnel» exists
    return client


def _store(*texts: str) -> None:
    with dav_session("prof.demo") as store:
        for text in texts:
            uid = text.split("UID:")[1].split("\r\n")[0]
            store.put("personnel", f"{uid}.ics", text, etag=None)


def test_another_zone_is_converted_and_its_own_clock_noted(signed_in):
    _store(
        _event("Visio avec Fort-de-France", "20261119T140000", "20261119T150000",
               "America/Martinique"),
        _event("Réunion à Bruxelles", "20261119T090000", "20261119T100000", "Europe/Brussels"),
        _event("Webinaire", "20261120T130000", "20261120T140000", None),
    )  # fmt: skip
    page = signed_in.get("/agenda/vue/semaine/?date=2026-11-19").content.decode()
    visio = page.split("Visio avec Fort-de-France")[0].rsplit("<li", 1)[1]
    assert "19:00 – 20:00" in visio
    assert "(14:00 – 15:00, heure : Martinique)" in visio
    brussels = page.split("Réunion à Bruxelles")[0].rsplit("<li", 1)[1]
    assert "09:00 – 10:00" in brussels and "heure :" not in brussels  # the same clock as Paris
    assert "14:00 – 15:00" in page and "(13:00 – 14:00, heure : UTC)" in page
    detail = page.split("Visio avec Fort-de-France")[0].rsplit('href="', 1)[1].split('"')[0]
    detail_page = signed_in.get(detail.replace("&amp;", "&")).content.decode()
    assert "Dans son fuseau horaire" in detail_page
    assert "14:00 – 15:00, heure : Martinique" in detail_page
    form = signed_in.get(detail.replace("&amp;", "&").replace("/?", "/modifier/?")
                         if "?" in detail else detail + "modifier/").content.decode()  # fmt: skip
    assert 'value="14:00"' in form
    assert '<option value="America/Martinique" selected>' in form


def test_the_viewers_own_zone_is_the_one_shown(signed_in, prof):
    preferences = Preferences.of(prof)
    preferences.time_zone = "Indian/Reunion"
    preferences.save()
    _store(_event("Conseil de classe 2nde B", "20261117T173000", "20261117T190000",
                  "Europe/Paris"))  # fmt: skip
    page = signed_in.get("/agenda/vue/semaine/?date=2026-11-17").content.decode()
    conseil = page.split("Conseil de classe 2nde B")[0].rsplit("<li", 1)[1]
    assert "20:30 – 22:00" in conseil
    assert "(17:30 – 19:00, heure : France métropolitaine (Paris))" in conseil
    # Late in Paris is the next day in New Caledonia: the event moves to that day.
    preferences.time_zone = "Pacific/Noumea"
    preferences.save()
    day = signed_in.get("/agenda/vue/jour/?date=2026-11-18").content.decode()
    assert "Conseil de classe 2nde B" in day and "03:30 – 05:00" in day
    assert "(17 nov. 17:30 – 19:00, heure : France métropolitaine (Paris))" in day
    assert 'value="Pacific/Noumea" selected' in signed_in.get(
        "/agenda/evenement/nouveau/").content.decode()
