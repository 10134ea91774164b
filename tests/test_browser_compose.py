"""Writing in headless Chromium: a template, a signature, an attachment, sent and received."""

from email import message_from_bytes, policy

import pytest
from playwright.sync_api import expect

from accounts.models import Preferences
from mail.models import MessageTemplate, OutgoingMessage, Signature
from tests.conftest import (
    PASSWORD,
    assert_accessible,
    inbox_subjects,
    sign_in_to_inbox,
    unique_subject,
    wait_for,
)
from tests.test_compose import folder_subjects

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.usefixtures("mail_stack")]


def test_write_from_a_template_with_signature_and_attachment(
    live_server, page, prof, colleague, tmp_path
):
    Preferences.objects.create(user=prof, undo_send_seconds=0)
    Signature.objects.create(user=prof, name="interne", body="Camille Martin", is_default=True)
    MessageTemplate.objects.create(
        user=prof, name="Convocation", subject="Convocation de {prénom}",
        body="{prénom} ({classe}) est convoqué le {date}.\n",
    )  # fmt: skip
    attachment = tmp_path / "emploi du temps.pdf"
    attachment.write_bytes(b"%PDF-1.4 emploi du temps")

    page.goto(f"{live_server.url}/")
    page.get_by_label("Identifiant académique ou adresse électronique").fill("prof.demo")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("link", name="Écrire").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nouveau message")
    assert_accessible(page)

    page.get_by_role("combobox", name="À Séparez les adresses par des virgules.").fill(
        colleague.email
    )
    page.get_by_label("Modèle").select_option(label="Convocation")
    page.get_by_label("prénom").fill("Léa")
    page.get_by_label("classe").fill("2nde 3")
    page.get_by_role("button", name="Compléter").click()
    editor = page.locator(".ql-editor")
    expect(editor).to_contain_text("Léa (2nde 3) est convoqué le")
    editor.press("Control+End")
    editor.press("Control+b")
    editor.type("Merci de confirmer.")  # bold, from the editor
    text = page.locator("#id_body").input_value()
    assert text.startswith("Léa (2nde 3) est convoqué le ") and "-- \nCamille Martin" in text
    expect(page.get_by_label("Objet")).to_have_value("Convocation de Léa")
    page.get_by_label("Pièces jointes").set_input_files(str(attachment))
    page.get_by_role("button", name="Envoyer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("À envoyer")

    wait_for(lambda: "Convocation de Léa" in inbox_subjects("collegue.demo"))
    sent = OutgoingMessage.objects.get()
    sent_message = message_from_bytes(bytes(sent.raw), policy=policy.default)
    formatted = sent_message.get_body(preferencelist=("html",)).get_content()
    assert "<strong>Merci de confirmer.</strong>" in formatted
    plain = sent_message.get_body(preferencelist=("plain",)).get_content()
    assert "Merci de confirmer." in plain and "<strong>" not in plain
    wait_for(lambda: OutgoingMessage.objects.get().status == OutgoingMessage.Status.SENT)
    assert folder_subjects(prof, "Sent").count("Convocation de Léa") == 1


def test_a_draft_typed_after_the_session_expired_is_not_lost(live_server, page, prof):
    page.goto(f"{live_server.url}/")
    page.get_by_label("Identifiant académique ou adresse électronique").fill("prof.demo")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.goto(f"{live_server.url}/mail/ecrire/")
    page.context.clear_cookies()  # the session expires while the teacher writes
    page.locator(".ql-editor").type("Chers parents, la sortie est reportée.")
    expect(page.get_by_text("Brouillon gardé dans ce navigateur seulement")).to_be_visible(
        timeout=15000
    )
    page.goto(f"{live_server.url}/")
    page.get_by_label("Identifiant académique ou adresse électronique").fill("prof.demo")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("link", name="Écrire").click()
    expect(page.locator(".ql-editor")).to_contain_text("Chers parents, la sortie est reportée.")
    expect(
        page.get_by_text("Un brouillon gardé dans ce navigateur a été remis en place.")
    ).to_be_visible()


def test_a_message_waiting_to_leave_is_no_draft_and_a_stale_tab_sends_it_once(
    live_server, page, prof, colleague
):
    """It showed in «À envoyer» and as a draft in progress at once, and «Envoyer» from the
    draft queued it a second time."""
    Preferences.objects.create(user=prof, undo_send_seconds=30)  # it waits in «À envoyer»
    subject = unique_subject("Réunion parents-professeurs")
    page.clock.install()  # time flows as usual until the test moves it on
    sign_in_to_inbox(page, live_server)
    page.get_by_role("link", name="Écrire").click()
    page.locator("#id_to").fill(colleague.email)
    page.get_by_label("Objet", exact=True).fill(subject)
    page.get_by_role("textbox", name="Message", exact=True).type("Jeudi à 18 h.")
    page.clock.fast_forward(5_000)  # the autosave's turn
    expect(page.get_by_text("Brouillon enregistré à")).to_be_visible()
    assert subject in folder_subjects(prof, "Drafts")
    # The same draft opened in a second tab, from the inbox's «messages you had started».
    stale = page.context.new_page()
    stale.goto(f"{live_server.url}/mail/")
    stale.locator(".cv-drafts").get_by_role("link", name=subject).click()
    expect(stale.get_by_label("Objet", exact=True)).to_have_value(subject)

    page.get_by_role("button", name="Envoyer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("À envoyer")
    expect(page.get_by_role("cell", name=subject, exact=True)).to_have_count(1)
    page.goto(f"{live_server.url}/mail/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Boîte de réception")
    expect(page.locator(".cv-drafts")).to_have_count(0)
    assert subject not in folder_subjects(prof, "Drafts")

    stale.get_by_role("button", name="Envoyer").click()
    expect(stale.get_by_role("heading", level=1)).to_have_text("À envoyer")
    expect(stale.get_by_role("cell", name=subject, exact=True)).to_have_count(1)
    assert OutgoingMessage.objects.filter(subject=subject).count() == 1
    assert_accessible(stale)
