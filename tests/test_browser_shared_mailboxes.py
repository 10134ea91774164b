"""A secretary assigns a family's message to a colleague, who answers as the vie scolaire
mailbox: in headless Chromium, through the real gateway, worker and Dovecot."""

from email import message_from_bytes, policy

import pytest
from django.conf import settings
from playwright.sync_api import expect

from accounts.models import Preferences, User
from demo import academie as demo
from mail.imap import imap_session
from mail.models import Mailbox, MailboxMember, OutgoingMessage
from shared_mailboxes.models import AuditEntry, MailboxSignature, MessageWork
from tests.conftest import (
    PASSWORD,
    assert_accessible,
    build_message,
    make_person,
    send_inbound,
    unique_subject,
    wait_for,
)
from tests.shared_mailbox_setup import VIE_SCOLAIRE, subjects_in

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.usefixtures("mail_stack")]


def sign_in(page, live_server, login):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/")
    page.get_by_label("Identifiant académique ou adresse électronique").fill(login)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Boîte de réception")


def test_a_secretary_assigns_a_family_message_and_a_colleague_replies_as_the_mailbox(
    live_server, page
):
    secretary = make_person("secretariat.demo", category=User.Category.ADMIN_STAFF,
                            first_name="Sophie", last_name="Lambert")  # fmt: skip
    cpe = make_person("cpe.demo", category=User.Category.ADMIN_STAFF,
                      first_name="Karim", last_name="Benali")  # fmt: skip
    Preferences.objects.create(user=cpe, undo_send_seconds=0)
    shared = Mailbox.objects.create(
        address=f"{VIE_SCOLAIRE}@{settings.MAIL_DOMAIN}", imap_user=VIE_SCOLAIRE,
        display_name="Vie scolaire – Lycée", kind=Mailbox.Kind.FUNCTIONAL,
        etablissement=secretary.etablissement,
    )  # fmt: skip
    rights = {"can_read": True, "can_manage": True, "can_send_as": True}
    MailboxMember.objects.create(mailbox=shared, user=secretary, can_administer=True, **rights)
    MailboxMember.objects.create(mailbox=shared, user=cpe, **rights)
    MailboxSignature.objects.create(mailbox=shared, name="Vie scolaire", is_default=True,
                                    body="La vie scolaire du lycée")  # fmt: skip
    with imap_session(shared.imap_user) as box:
        unread = box.unread_count() + 1  # the Maildir outlives each test's database
    subject = unique_subject("Absence de Léo demain")
    send_inbound(build_message(to=shared.address, subject=subject,
                               body="Bonjour, Léo sera absent demain. Famille Durand"))  # fmt: skip
    wait_for(lambda: subject in subjects_in(shared, "INBOX"))

    # The secretary finds the shared mailbox under its own heading, with its unread count.
    sign_in(page, live_server, "secretariat.demo")
    shared_list = page.locator(".cv-shared-boxes")
    expect(shared_list).to_contain_text("Vie scolaire – Lycée")
    expect(shared_list).to_contain_text(f"{unread} non lu")
    shared_list.get_by_role("link", name="Vie scolaire – Lycée").click()
    page.get_by_role("link", name=subject).click()
    expect(page.get_by_role("heading", name="Travail en équipe")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Attribuer à").select_option(label="Karim Benali")
    page.get_by_role("button", name="Attribuer", exact=True).click()
    expect(page.get_by_text("Message attribué à Karim Benali.")).to_be_visible()
    page.get_by_label("Ajouter une note").fill("Prévenir le professeur principal.")
    page.get_by_role("button", name="Ajouter la note").click()
    expect(page.get_by_text("Prévenir le professeur principal.")).to_be_visible()

    # The colleague finds it in «mes messages attribués» and answers as the mailbox.
    sign_in(page, live_server, "cpe.demo")
    page.get_by_role("link", name="Vie scolaire – Lycée").click()
    page.get_by_role("link", name="Mes messages attribués").click()
    # Managing the mailbox, the colleague may also give it its calendar.
    expect(page.get_by_role("button", name="Créer l’agenda de cette boîte")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name=subject).click()
    expect(page.get_by_text("Prévenir le professeur principal.")).to_be_visible()
    page.get_by_label("État", exact=True).select_option(label="En cours")
    page.get_by_role("button", name="Enregistrer l’état").click()
    expect(page.get_by_text("État enregistré.")).to_be_visible()
    page.get_by_role("link", name="Répondre", exact=True).click()
    expect(page.locator("#id_sender option:checked")).to_have_text(
        f"Vie scolaire – Lycée <{shared.address}>"
    )
    page.locator(".ql-editor").press("Control+Home")
    page.locator(".ql-editor").type("Bien noté, merci.")
    page.get_by_role("button", name="Envoyer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("À envoyer")

    wait_for(lambda: OutgoingMessage.objects.get().status == OutgoingMessage.Status.SENT)
    sent = message_from_bytes(bytes(OutgoingMessage.objects.get().raw), policy=policy.default)
    assert sent["From"].addresses[0].addr_spec == shared.address
    assert sent["From"].addresses[0].display_name == "Vie scolaire – Lycée"
    body = sent.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")
    assert "Bien noté, merci." in body and "-- \nLa vie scolaire du lycée" in body
    assert f"Re: {subject}" in subjects_in(shared, "Sent")
    assert MessageWork.objects.get().assignee == cpe

    # The secretary, who administers the mailbox, sees who did what.
    sign_in(page, live_server, "secretariat.demo")
    page.goto(f"{live_server.url}/mail/equipe/boite/{shared.id}/journal/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Journal de")
    assert_accessible(page)
    actions = set(AuditEntry.objects.filter(user=cpe).values_list("action", flat=True))
    assert {"read", "state", "send_as", "reply"} <= actions
    page.goto(f"{live_server.url}/mail/equipe/boite/{shared.id}/membres/")
    assert_accessible(page)


def test_a_member_is_added_by_name_from_the_directory(live_server, page, settings):
    """#11: the members page no longer needs the exact login."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo.seed_directory()  # the secretary administers the lycée's vie scolaire box
    shared = Mailbox.objects.get(imap_user="vie-scolaire.0311234y")
    sign_in(page, live_server, "secretariat.demo")
    page.goto(f"{live_server.url}/mail/equipe/boite/{shared.id}/membres/")
    person = page.get_by_role("combobox", name="Personne")
    person.press_sequentially("helene dup", delay=30)
    suggestions = page.get_by_role("listbox", name="Propositions de l'annuaire")
    expect(suggestions.get_by_role("option").first).to_contain_text("Hélène Dupré")
    assert_accessible(page)
    person.press("ArrowDown")
    person.press("Enter")
    expect(person).to_have_value("Hélène Dupré <helene.dupre@ac-demo.test>")
    with page.expect_navigation():
        page.locator("form", has=person).get_by_role("button", name="Donner accès").click()
    expect(page.get_by_role("listitem").filter(has_text="(helene.dupre)")).to_contain_text(
        "lecture"
    )
    assert MailboxMember.objects.get(mailbox=shared, user__username="helene.dupre").can_read
