"""In Chromium: share a calendar from its settings, at 390 px; the page passes axe, and the
colleague finds it among «Agendas partagés avec moi»."""

import re

import pytest
from playwright.sync_api import expect

from tests.agenda_helpers import empty_store  # noqa: F401 - fixture
from tests.conftest import PASSWORD, assert_accessible
from tests.test_browser_agenda import sign_in_to_agenda

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("empty_store")]


def test_share_a_calendar_in_the_page(live_server, page, prof, colleague):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in_to_agenda(page, live_server)
    page.goto(f"{live_server.url}/agenda/calendriers/personnel/")
    page.get_by_role("link", name="Partager ce calendrier").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Partager «Personnel»")
    assert_accessible(page)
    page.get_by_label("Adresse de la personne ou de la liste").fill("inconnu@ailleurs.example")
    page.get_by_role("button", name="Partager", exact=True).click()
    expect(page.get_by_text(re.compile("Aucun collègue n.a cette adresse"))).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Adresse de la personne ou de la liste").fill(colleague.email)
    page.get_by_label("Lecture", exact=True).check()
    page.get_by_role("button", name="Partager", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Calendrier partagé")
    expect(page.get_by_role("button", name="Ne plus partager avec Louis Bernard")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page)

    page.context.clear_cookies()
    page.goto(f"{live_server.url}/comptes/login/?next=/agenda/vue/semaine/%3Fdate%3D2026-11-16")
    page.get_by_label("Identifiant académique ou adresse électronique").fill("collegue.demo")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("button", name="Agendas").click()  # folded on a phone
    expect(page.get_by_role("heading", name="Agendas partagés avec moi")).to_be_visible()
    expect(page.get_by_text("Camille Martin · Lecture")).to_be_visible()
    page.get_by_role("button", name="Masquer Personnel (Camille Martin)").click()
    page.get_by_role("button", name="Agendas").click()  # the page comes back folded
    expect(page.get_by_role("button", name="Afficher Personnel (Camille Martin)")).to_be_visible()
    assert_accessible(page)
