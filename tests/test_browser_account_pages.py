"""«Mon compte» and «Préférences» lead where people look: the password change, signatures
and templates (with French agreement: «En ajouter une» signature, «un» modèle); the header
shows the support console to IT support only."""

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD, assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("mail_stack")]


def sign_in(page, live_server):
    page.goto(f"{live_server.url}/comptes/login/")
    page.get_by_label("Identifiant académique ou adresse électronique").fill("prof.demo")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Boîte de réception")


def test_password_change_signatures_and_templates_are_reachable(live_server, page, prof):
    sign_in(page, live_server)
    expect(page.get_by_role("link", name="Console d’assistance")).to_have_count(0)
    page.get_by_role("link", name="Mon compte").click()
    page.get_by_role("link", name="Changer mon mot de passe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Changer mon mot de passe")

    page.get_by_role("link", name="Préférences").click()
    page.get_by_role("link", name="Signatures").click()
    expect(page.get_by_role("heading", level=2)).to_have_text("En ajouter une")
    page.get_by_label("Nom").fill("Signature du lycée")
    page.get_by_label("Texte").fill("Camille Martin")
    page.get_by_role("button", name="Enregistrer").click()
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Supprimer Signature du lycée").click()
    assert asked == ["La supprimer ?"]
    assert_accessible(page)

    page.get_by_role("link", name="Préférences").click()
    page.get_by_role("link", name="Modèles de messages").click()
    expect(page.get_by_role("heading", level=2)).to_have_text("En ajouter un")
