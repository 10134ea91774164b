"""In Chromium: a contact made with the form, a group of contacts, «Écrire au groupe» opening
the compose page with the members, at desktop width and at 390 px; the pages pass axe."""

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD, assert_accessible
from tests.contacts_helpers import empty_store, phone_book  # noqa: F401 - fixture

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("empty_store")]


def sign_in_to_contacts(page, live_server):
    page.goto(f"{live_server.url}/comptes/login/?next=/contacts/")
    page.get_by_label("Identifiant académique ou adresse électronique").fill("prof.demo")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes contacts")


def add_contact(page, given, family, email, phone=""):
    page.get_by_role("link", name="Nouveau contact").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nouveau contact")
    page.get_by_label("Prénom").fill(given)
    page.get_by_label("Nom", exact=True).fill(family)
    page.get_by_label("Adresse électronique 1", exact=True).fill(email)
    if phone:
        page.get_by_label("Téléphone 1", exact=True).fill(phone)
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{given} {family}")


@pytest.mark.parametrize("width", [1280, 390])
def test_contacts_a_group_and_writing_to_it(live_server, page, prof, width):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in_to_contacts(page, live_server)
    assert_accessible(page)
    page.get_by_role("link", name="Nouveau contact").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nouveau contact")  # loaded
    assert_accessible(page)
    page.get_by_role("button", name="Enregistrer").click()  # nothing typed
    expect(page.get_by_role("alert")).to_contain_text("Indiquez au moins un nom")
    page.get_by_role("link", name="Mes contacts").click()
    add_contact(page, "Hélène", "Dupré", "helene.dupre@example.org", "06 12 34 56 78")
    assert_accessible(page)
    page.get_by_role("link", name="Mes contacts").click()
    add_contact(page, "Marc", "Petit", "marc.petit@example.org")

    page.get_by_role("link", name="Groupes").click()
    page.get_by_role("link", name="Nouveau groupe").click()
    page.get_by_label("Nom du groupe").fill("2nde 3 — parents délégués")
    page.get_by_text("Hélène Dupré (helene.dupre@example.org)").click()
    page.get_by_text("Marc Petit (marc.petit@example.org)").click()
    assert_accessible(page)
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("2nde 3 — parents délégués")
    assert_accessible(page)
    expect(page.get_by_role("link", name="Écrire au groupe")).to_have_attribute(
        "href", "/mail/ecrire/?a=H%C3%A9l%C3%A8ne+Dupr%C3%A9+%3Chelene.dupre%40example.org%3E%2C"
        "+Marc+Petit+%3Cmarc.petit%40example.org%3E")
    if width == 390:  # nothing wider than the phone's screen
        for path in ("/contacts/", "/contacts/nouveau/", "/contacts/groupes/"):
            page.goto(f"{live_server.url}{path}")
            assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
    # The phone sees the same three cards.
    assert len(phone_book(live_server, "prof.demo", PASSWORD).hrefs()) == 3
