"""In Chromium at 390 px: the free rooms at a chosen time from the agenda, then a room's
agenda; the pages pass axe."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from calendar_app import rooms
from demo.agenda import seed_demo_rooms
from tests.agenda_helpers import empty_store  # noqa: F401 - fixture
from tests.conftest import PASSWORD, assert_accessible
from tests.invitation_helpers import next_tuesday
from tests.test_rooms import request

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("empty_store")]


def test_free_rooms_at_a_chosen_time_at_390_px(live_server, page, prof, colleague):
    seed_demo_rooms()
    salle = rooms.Room.objects.get(email="salle-polyvalente.0311234y@ac-demo.test")
    start = next_tuesday(10)
    text = request(colleague, salle, start.replace(tzinfo=None), title="Conseil de classe 2nde B")
    assert rooms.book(salle.id, colleague.id, text) == "ACCEPTED"

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/comptes/login/?next=/agenda/salles/")
    page.get_by_label("Identifiant académique ou adresse électronique").fill("prof.demo")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Salles libres maintenant")
    page.get_by_label("Date", exact=True).fill(start.date().isoformat())
    page.get_by_label("Heure", exact=True).fill((start + timedelta(minutes=30)).strftime("%H:%M"))
    page.get_by_role("button", name="Voir les salles libres à cette heure").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Salles libres le mardi")
    free = page.get_by_role("list").filter(has_text="CDI").first
    expect(free).to_contain_text("40 places")
    expect(page.get_by_text("réservée de 10:00 à 11:00")).to_be_visible()
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # «Réserver»: the event form at that hour with the room as a participant.
    page.get_by_role("link", name="Réserver CDI").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nouvel événement")
    expect(page.get_by_label("Participants")).to_have_value("cdi.0311234y@ac-demo.test")
    expect(page.get_by_label("Heure de début")).to_have_value("10:00")
    page.go_back()

    page.get_by_role("link", name="Salle polyvalente").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Salle polyvalente")
    expect(page.get_by_text("Conseil de classe 2nde B (Louis Bernard)")).to_be_visible()
    assert_accessible(page)


def test_managing_rooms_at_390_px(live_server, page, prof, colleague):
    from accounts.models import User
    from tests.conftest import make_person

    make_person("secretariat.demo", category=User.Category.ADMIN_STAFF, first_name="Nadia",
                last_name="Roux")  # fmt: skip
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/comptes/login/?next=/agenda/salles/")
    page.get_by_label("Identifiant académique ou adresse électronique").fill("secretariat.demo")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("link", name="Gérer les salles de votre établissement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gérer les salles")
    page.get_by_role("link", name="Ajouter une salle ou un équipement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nouvelle salle ou nouvel équipement")
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_label("Nom", exact=True).fill("Salle de réunion")
    page.get_by_label("Capacité (places)").fill("12")
    page.get_by_label("Réservation", exact=True).select_option("approval")
    page.locator("label", has_text="Louis Bernard (collegue.demo@ac-demo.test)").click()
    expect(page.get_by_label("Louis Bernard (collegue.demo@ac-demo.test)")).to_be_checked()
    page.get_by_role("button", name="Créer").click()
    expect(page.get_by_text("salle-de-reunion.0311234y@ac-demo.test").first).to_be_visible()
    expect(page.get_by_text("Validation par un gestionnaire").first).to_be_visible()
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("link", name="Modifier Salle de réunion").click()
    page.locator("label", has_text="Réservable").click()
    expect(page.get_by_label("Réservable")).not_to_be_checked()
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("non réservable")).to_be_visible()
