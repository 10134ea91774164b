"""In Chromium: the scheduling assistant of the event form shows the attendees' and rooms'
busy times (read from the form's «Participants»; a colleague's private event as «Occupé»), finds the
first slot free for everyone within working hours and fills the form with it; at desktop
width and 390 px, with axe."""

from datetime import datetime

import pytest
from playwright.sync_api import expect

from calendar_app import services
from calendar_app.index import reindex_collection
from dav.client import dav_session
from tests.agenda_helpers import empty_store, vevent  # noqa: F401 - fixture
from tests.conftest import assert_accessible
from tests.test_browser_agenda import sign_in_to_agenda

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("empty_store")]


def _put(login: str, uid: str, summary: str, start: datetime, end: datetime, extra: str = ""):
    with dav_session(login) as store:
        store.put("personnel", f"{uid}.ics", vevent(uid, summary, start, end, extra), etag=None)
    reindex_collection(login, "personnel")


def test_the_assistant_shows_busy_times_and_finds_the_first_free_slot(
        live_server, page, prof, colleague, settings):  # fmt: skip
    settings.WORKING_HOURS = "08:00-18:00"
    services.calendars_of(prof)
    services.calendars_of(colleague)
    _put("collegue.demo", "c1", "Conseil pédagogique", datetime(2026, 11, 16, 8),
         datetime(2026, 11, 16, 10))  # fmt: skip
    _put("prof.demo", "p1", "Cours 2nde B", datetime(2026, 11, 16, 10), datetime(2026, 11, 16, 11))
    _put("collegue.demo", "c2", "Rendez-vous médical", datetime(2026, 11, 16, 11),
         datetime(2026, 11, 16, 12), "CLASS:PRIVATE\r\n")  # fmt: skip

    sign_in_to_agenda(page, live_server)
    page.goto(f"{live_server.url}/agenda/evenement/nouveau/?date=2026-11-16&heure=9")
    assistant = page.get_by_role("region", name="Assistant de planification")
    expect(assistant.locator(".cv-fb-row")).to_have_count(1)  # mine, at once
    # The invitations' «Participants» field is the one it reads (its own field is hidden).
    expect(assistant.get_by_label("Adresses des personnes à consulter")).to_be_hidden()
    page.get_by_role("combobox", name="Participants").fill(f"Louis Bernard <{colleague.email}>")
    assistant.get_by_role("button", name="Afficher les disponibilités").click()
    expect(assistant.get_by_text("Louis Bernard")).to_be_visible()
    expect(assistant.locator(".cv-fb-busy")).to_have_count(3)
    expect(assistant.locator(".cv-fb-busy", has_text="Cours 2nde B")).to_be_visible()  # mine
    expect(assistant.locator(".cv-fb-busy", has_text="Occupé")).to_have_count(2)
    expect(assistant).not_to_contain_text("Rendez-vous")
    expect(assistant).not_to_contain_text("Conseil pédagogique")
    assert assistant.locator(".cv-fb-off").count() >= 2  # before 8 h and after 18 h, shaded
    assert_accessible(page)

    assistant.get_by_role("button", name="Premier créneau libre pour tous").click()
    expect(assistant.get_by_role("status")).to_contain_text(
        "Premier créneau libre pour tous : lundi 16 novembre, 12:00 – 13:00")
    expect(page.get_by_label("Heure de début")).to_have_value("12:00")
    expect(page.get_by_label("Heure de fin")).to_have_value("13:00")
    expect(page.get_by_label("Date de début")).to_have_value("2026-11-16")

    # 11 November is a public holiday: the first free slot is on the 12th, at 8:00.
    page.get_by_label("Date de début").fill("2026-11-11")
    page.get_by_label("Date de fin").fill("2026-11-11")
    assistant.get_by_role("button", name="Premier créneau libre pour tous").click()
    expect(assistant.get_by_role("status")).to_contain_text("jeudi 12 novembre, 08:00 – 09:00")
    expect(page.get_by_label("Date de début")).to_have_value("2026-11-12")

    page.set_viewport_size({"width": 390, "height": 844})
    expect(assistant.locator(".cv-fb-row")).to_have_count(2)
    assert_accessible(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390

    page.get_by_label("Titre").fill("Réunion d'équipe")
    page.get_by_role("button", name="Créer l'événement").click()
    expect(page.get_by_role("status").first).to_contain_text("Événement créé.")


def test_a_room_among_the_participants_shows_its_bookings(live_server, page, prof, colleague,
                                                          settings):  # fmt: skip
    from django.utils import formats, translation

    from calendar_app import rooms
    from directory.models import Etablissement
    from tests.invitation_helpers import next_tuesday
    from tests.test_rooms import request

    settings.WORKING_HOURS = "08:00-18:00"
    services.calendars_of(prof)
    room = rooms.create_room(Etablissement.objects.get(uai="0311234Y"), "Salle polyvalente",
                             "salle-polyvalente.0311234y@ac-demo.test")  # fmt: skip
    day = next_tuesday(8).replace(tzinfo=None)  # rooms are booked in the future only
    booked = request(colleague, room, day, hours=4, title="Conseil")
    assert rooms.book(room.id, colleague.id, booked) == "ACCEPTED"

    sign_in_to_agenda(page, live_server)
    page.goto(f"{live_server.url}/agenda/evenement/nouveau/?date={day:%Y-%m-%d}&heure=9")
    assistant = page.get_by_role("region", name="Assistant de planification")
    page.get_by_role("combobox", name="Participants").fill(room.email)
    assistant.get_by_role("button", name="Afficher les disponibilités").click()
    expect(assistant.locator(".cv-fb-row", has_text="Salle polyvalente")).to_be_visible()
    expect(assistant.locator(".cv-fb-busy", has_text="Conseil")).to_be_visible()
    expect(assistant).not_to_contain_text("disponibilités inconnues")
    assistant.get_by_role("button", name="Premier créneau libre pour tous").click()
    with translation.override("fr"):
        when = formats.date_format(day, "l j F")
    expect(assistant.get_by_role("status")).to_contain_text(
        f"Premier créneau libre pour tous : {when}, 12:00 – 13:00")
