"""In Chromium: create an event with the form, find it in the week and on the phone, at
desktop width and at 390 px; the pages pass axe."""

import re

import pytest
from playwright.sync_api import expect

from tests.agenda_helpers import empty_store, phone  # noqa: F401 - fixture
from tests.conftest import PASSWORD, assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("empty_store")]


def sign_in_to_agenda(page, live_server):
    page.goto(f"{live_server.url}/comptes/login/?next=/agenda/vue/semaine/%3Fdate%3D2026-11-16")
    page.get_by_label("Identifiant académique ou adresse électronique").fill("prof.demo")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Semaine 47")


def test_create_an_event_in_the_page_and_see_it_everywhere(live_server, page, prof):
    sign_in_to_agenda(page, live_server)
    assert_accessible(page)
    page.get_by_role("link", name="Créer un événement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nouvel événement")
    page.get_by_label("Titre").fill("Réunion parents-professeurs 3e")
    page.get_by_label("Lieu").fill("Préau")
    page.get_by_label("Date de début").fill("2026-11-19")
    page.get_by_label("Heure de début").fill("18:00")
    page.get_by_label("Date de fin").fill("2026-11-19")
    page.get_by_label("Heure de fin").fill("20:00")
    page.get_by_label("Catégorie").select_option(label="Réunion")
    page.get_by_text("15 minutes avant").click()
    # The repetition details appear only once a repetition is chosen.
    expect(page.get_by_label("Dernière date")).to_be_hidden()
    page.get_by_label("Répéter").select_option(label="Toutes les semaines")
    expect(page.get_by_label("jeudi")).to_be_visible()
    page.get_by_label("Répéter").select_option(label="Ne se répète pas")
    page.get_by_text("Toute la journée", exact=True).click()
    expect(page.get_by_label("Toute la journée")).to_be_checked()
    expect(page.get_by_label("Heure de début")).to_be_hidden()
    page.get_by_text("Toute la journée", exact=True).click()
    assert_accessible(page)
    page.get_by_role("button", name="Créer l'événement").click()

    expect(page.get_by_role("status")).to_contain_text("Événement créé.")
    event = page.get_by_role("link", name=re.compile("Réunion parents-professeurs 3e"))
    expect(event).to_contain_text("18:00 – 20:00")
    box = event.bounding_box()
    assert box["height"] > 80  # two hours of the time grid, positioned by the script
    assert_accessible(page)

    client = phone(live_server, "prof.demo", PASSWORD)
    cal = client.calendar(url=f"{live_server.url}/dav/prof.demo/personnel/")
    [stored] = cal.search(event=True)
    assert str(stored.icalendar_component["LOCATION"]) == "Préau"

    event.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Réunion parents-professeurs 3e")
    assert_accessible(page)

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/agenda/vue/mois/?date=2026-11-19")
    assert_accessible(page)
    page.goto(f"{live_server.url}/agenda/vue/semaine/?date=2026-11-19")
    expect(page.get_by_role("heading", name="jeudi 19")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    assert_accessible(page)
