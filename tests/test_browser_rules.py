"""In Chromium: create a rule, watch its live preview, see the next message land in its
folder, sort existing mail with «Appliquer maintenant»; the pages pass axe."""

import re

import pytest
from playwright.sync_api import expect

from mail.imap import imap_session
from tests.conftest import (
    assert_accessible,
    build_message,
    deliver,
    send_inbound,
    unique_subject,
    wait_for,
)
from tests.conftest import sign_in_to_inbox as sign_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("mail_stack")]


def subjects_in(login: str, folder: str) -> list[str]:
    with imap_session(login) as box:
        return [e.subject for e in box.list_page(folder, page=1, page_size=200).envelopes]


def test_a_rule_made_in_the_page_sorts_the_next_message(live_server, page, prof):
    with imap_session("prof.demo") as box:
        if not any(f.name == "Conseils" for f in box.folders(refresh=True)):
            box.create_folder("Conseils")
    tag = unique_subject("Conseil")
    already = f"{tag} déjà là"
    deliver(prof, build_message(to=prof.email, subject=already))

    sign_in(page, live_server)
    page.get_by_role("link", name="Règles, absence, transfert").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Règles de tri")
    assert_accessible(page)
    page.get_by_role("link", name="Nouvelle règle").click()

    page.get_by_label("Nom de la règle").fill("Conseils de classe")
    page.locator("#cond-0-field").select_option(label="Objet")
    page.locator("#cond-0-op").select_option(label="contient")
    page.locator("#cond-0-value").fill(tag)
    # The live preview finds the message already there, without saving anything.
    expect(page.locator("[data-preview]")).to_contain_text(already)
    page.locator("#act-0-type").select_option(label="Déplacer vers le dossier")
    expect(page.locator("#act-0-address")).to_be_hidden()
    page.locator("#act-0-folder").select_option("Conseils")
    page.locator("#act-1-type").select_option(label="Ajouter l’étiquette")
    page.locator("#act-1-label").select_option(label="Important")
    assert_accessible(page)
    page.get_by_role("button", name="Enregistrer la règle").click()
    expect(page.get_by_role("status")).to_contain_text("Règle « Conseils de classe » enregistrée.")
    expect(page.locator(".cv-rules")).to_contain_text("Objet contient")

    arriving = f"{tag} nouveau"
    send_inbound(build_message(to=prof.email, subject=arriving))
    wait_for(lambda: arriving in subjects_in("prof.demo", "Conseils"))
    assert arriving not in subjects_in("prof.demo", "INBOX")
    page.get_by_role("link", name="Conseils").first.click()
    expect(page.get_by_role("link", name=re.compile(re.escape(arriving))).first).to_be_visible()

    # «Appliquer maintenant» sorts the message that was there before the rule.
    page.get_by_role("link", name="Règles, absence, transfert").click()
    page.get_by_role("link", name=re.compile("Modifier")).first.click()
    page.get_by_label("Dossier à trier").select_option("INBOX")
    page.get_by_role("button", name="Appliquer maintenant").click()
    expect(page.locator("[data-run-status]").first).to_have_text("Terminé", timeout=30_000)
    expect(page.locator("[data-run-text]").first).to_contain_text("concernés : 1")
    assert already in subjects_in("prof.demo", "Conseils")
    assert_accessible(page)


def test_absence_and_forwarding_pages_by_keyboard(live_server, page, prof):
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/mail/boite/{prof.personal_mailbox.id}/absence/")
    assert_accessible(page)
    page.get_by_label("Envoyer un message d’absence").focus()
    page.keyboard.press("Space")
    page.get_by_label("Objet").fill("Absente cette semaine")
    page.get_by_role("button", name="Enregistrer").press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Votre message d’absence est activé.")
    assert prof.personal_mailbox.vacation.subject == "Absente cette semaine"

    page.get_by_role("link", name="Transfert", exact=True).click()
    page.wait_for_url("**/transfert/")  # axe on a page still loading finds no document
    assert_accessible(page)
    page.get_by_label("Transférer mon courrier à").fill("camille@example.org")
    page.get_by_label("Transférer mon courrier à").press("Enter")
    expect(page.get_by_role("status")).to_contain_text("camille@example.org")
    page.get_by_role("link", name="Importer ou exporter (Sieve)").click()
    page.wait_for_url("**/sieve/")
    assert_accessible(page)
