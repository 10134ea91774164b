"""The compose page as a person sees it: one editing area, answers and forwards that keep what
they should, and «Annuler l'envoi» that gives everything back."""

import pytest
from playwright.sync_api import expect

from accounts.models import Preferences
from mail.models import OutgoingMessage
from tests.conftest import PASSWORD, assert_accessible, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("mail_stack")]


def sign_in(page, live_server):
    page.goto(f"{live_server.url}/")
    page.get_by_label("Identifiant académique ou adresse électronique").fill("prof.demo")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Boîte de réception")


def test_one_editing_area_and_no_stray_error(live_server, page, prof):
    sign_in(page, live_server)
    page.get_by_role("link", name="Écrire").click()
    editor = page.get_by_role("textbox", name="Message", exact=True)
    expect(editor).to_be_visible()
    expect(editor).to_have_class("ql-editor ql-blank")
    expect(page.locator("textarea#id_body")).to_be_hidden()
    expect(page.locator("#pj-error")).to_be_hidden()
    assert_accessible(page)


def test_without_javascript_the_plain_field_sends(live_server, page, prof, colleague):
    Preferences.objects.create(user=prof, undo_send_seconds=0)
    context = page.context.browser.new_context(locale="fr-FR", java_script_enabled=False)
    plain = context.new_page()
    sign_in(plain, live_server)
    plain.goto(f"{live_server.url}/mail/ecrire/")
    expect(plain.locator(".cv-editor")).to_be_hidden()
    plain.locator("#id_to").fill(colleague.email)
    plain.get_by_label("Objet").fill("Sans script")
    plain.get_by_role("textbox", name="Message", exact=True).fill("Écrit sans JavaScript.")
    plain.get_by_role("button", name="Envoyer").click()
    expect(plain.get_by_role("heading", level=1)).to_have_text("À envoyer")
    outgoing = wait_for(lambda: OutgoingMessage.objects.filter(subject="Sans script").first())
    assert "Écrit sans JavaScript." in bytes(outgoing.raw).decode()
    context.close()
