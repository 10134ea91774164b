"""The compose page as a person sees it: one editing area, answers and forwards that keep what
they should, and «Annuler l'envoi» that gives everything back."""

from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Preferences
from mail.imap import imap_session
from mail.models import Mailbox, MailboxMember, OutgoingMessage, Signature
from mail.transport.lmtp import lmtp_deliver
from tests.conftest import (
    PNG,
    assert_accessible,
    empty_inbox,
    sign_in_to_inbox,
    unique_subject,
    wait_for,
)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("mail_stack")]
FIXTURES = Path(__file__).parent / "fixtures" / "mail"


def test_one_editing_area_and_no_stray_error(live_server, page, prof):
    sign_in_to_inbox(page, live_server)
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
    sign_in_to_inbox(plain, live_server)
    plain.goto(f"{live_server.url}/mail/ecrire/")
    expect(plain.locator(".cv-editor")).to_be_hidden()
    plain.locator("#id_to").fill(colleague.email)
    plain.get_by_label("Objet", exact=True).fill("Sans script")
    plain.get_by_role("textbox", name="Message", exact=True).fill("Écrit sans JavaScript.")
    plain.get_by_role("button", name="Envoyer").click()
    expect(plain.get_by_role("heading", level=1)).to_have_text("À envoyer")
    outgoing = wait_for(lambda: OutgoingMessage.objects.filter(subject="Sans script").first())
    assert "Écrit sans JavaScript." in bytes(outgoing.raw).decode()
    context.close()


def deliver_fixture(user, name: str) -> str:
    subject = unique_subject("Conseil de classe")
    raw = (
        (FIXTURES / name)
        .read_bytes()
        .replace(b"Subject: Conseil de classe", f"Subject: {subject}".encode())
    )
    raw = raw.replace(b"<forward-with-attachments@", f"<{subject[-10:]}@".encode())
    outcome = lmtp_deliver(raw, mail_from="test@example.org", imap_users=[user.username])
    assert outcome.delivered == [user.username]
    return subject


def received(user, subject: str, skip: int = 0):
    """The message called ``subject`` (past the ``skip`` oldest of that name) once it came."""

    def arrived():
        uids = sorted(e.uid for e in _inbox(user) if e.subject == subject)
        return uids[skip] if len(uids) > skip else None

    uid = wait_for(arrived)
    with imap_session(user.username) as box:
        return message_from_bytes(
            box.fetch_raw("INBOX", uid, mark_seen=False), policy=policy.default
        )


def _inbox(user):
    with imap_session(user.username) as box:
        return box.list_page("INBOX", page=1, page_size=200).envelopes


def _forward_the_fixture(page, live_server, prof, *, undo_send_seconds: int) -> str:
    """The message with an inline image and two files, opened, then «Transférer»."""
    Preferences.objects.create(user=prof, undo_send_seconds=undo_send_seconds)
    empty_inbox(prof)  # the fixture's date is old: other tests' mail would push it off page 1
    subject = deliver_fixture(prof, "forward-with-attachments.eml")
    sign_in_to_inbox(page, live_server)
    page.get_by_role("link", name=subject).click()
    page.get_by_role("link", name="Transférer", exact=True).click()
    return subject


def test_forward_keeps_the_attachments_and_inline_images_but_those_unticked(
    live_server, page, prof, colleague
):
    subject = _forward_the_fixture(page, live_server, prof, undo_send_seconds=0)
    for name in ("image-0.png", "ordre du jour.pdf", "notes.odt"):
        expect(page.get_by_role("checkbox", name=name)).to_be_checked()
    assert_accessible(page)
    page.get_by_text("notes.odt").click()  # DSFR: the label covers the box
    expect(page.get_by_role("checkbox", name="notes.odt")).not_to_be_checked()
    page.locator("#id_to").fill(colleague.email)
    page.get_by_role("button", name="Envoyer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("À envoyer")

    forwarded = received(colleague, f"Tr: {subject}")
    attached = {part.get_filename(): part.get_content() for part in forwarded.iter_attachments()}
    assert attached == {"image-0.png": PNG, "ordre du jour.pdf": b"%PDF-1.4 ordre du jour"}
    assert "Voici l'ordre du jour" in forwarded.get_body(("plain",)).get_content()

    # «Transférer en pièce jointe» still sends the original whole.
    page.goto(f"{live_server.url}/mail/")
    page.get_by_role("link", name=subject).click()
    page.get_by_role("link", name="Transférer en pièce jointe").click()
    expect(page.get_by_text("Le message d’origine est joint, en entier.")).to_be_visible()
    page.locator("#id_to").fill(colleague.email)
    page.get_by_role("button", name="Envoyer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("À envoyer")
    whole = next(received(colleague, f"Tr: {subject}", skip=1).iter_attachments())
    assert whole.get_content_type() == "message/rfc822"
    inner = {p.get_filename() for p in whole.get_content().iter_attachments()}
    assert {"ordre du jour.pdf", "notes.odt"} <= inner


def test_cancel_sending_a_forward_gives_its_attachments_back_as_chosen(
    live_server, page, prof, colleague
):
    _forward_the_fixture(page, live_server, prof, undo_send_seconds=30)
    page.get_by_text("notes.odt").click()  # DSFR: the label covers the box
    page.locator("#id_to").fill(colleague.email)
    page.get_by_role("button", name="Envoyer").click()
    page.get_by_role("button", name="Annuler l’envoi").click()

    expect(page.get_by_text("Votre message est revenu")).to_be_visible()
    for name in ("image-0.png", "ordre du jour.pdf"):
        expect(page.get_by_role("checkbox", name=name)).to_be_checked()
    expect(page.get_by_role("checkbox", name="notes.odt")).to_have_count(0)  # not sent: gone
    expect(page.get_by_role("textbox", name="Message", exact=True)).to_contain_text(
        "Voici l'ordre du jour"
    )
    page.get_by_role("button", name="Envoyer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("À envoyer")
    again = OutgoingMessage.objects.exclude(status=OutgoingMessage.Status.CANCELLED).get()
    message = message_from_bytes(bytes(again.raw), policy=policy.default)
    attached = {part.get_filename(): part.get_content() for part in message.iter_attachments()}
    assert attached == {"image-0.png": PNG, "ordre du jour.pdf": b"%PDF-1.4 ordre du jour"}


def test_cancel_sending_gives_everything_back(live_server, page, prof, colleague, tmp_path):
    Preferences.objects.create(user=prof, undo_send_seconds=30)
    vie_scolaire = Mailbox.objects.create(
        address=f"vie-scolaire.0311234y@{settings.MAIL_DOMAIN}", imap_user="vie-scolaire.0311234y",
        display_name="Vie scolaire", kind=Mailbox.Kind.FUNCTIONAL,
    )  # fmt: skip
    MailboxMember.objects.create(mailbox=vie_scolaire, user=prof, can_send_as=True)
    Signature.objects.create(user=prof, name="interne", body="Camille Martin", is_default=True)
    timetable = tmp_path / "emploi du temps.pdf"
    timetable.write_bytes(b"%PDF-1.4 emploi du temps")
    later = (timezone.localtime() + timedelta(days=2)).replace(hour=10, minute=0)
    subject = unique_subject("Sortie")

    sign_in_to_inbox(page, live_server)
    page.get_by_role("link", name="Écrire").click()
    page.get_by_label("De", exact=True).select_option(label=str(vie_scolaire))
    page.locator("#id_to").fill(colleague.email)
    page.locator("#id_cc").fill("parent@example.org")
    page.locator("#id_bcc").fill("direction@example.org")
    page.get_by_label("Objet", exact=True).fill(subject)
    page.get_by_role("textbox", name="Message", exact=True).press("Control+Home")
    page.get_by_role("textbox", name="Message", exact=True).type("Départ à 8 h devant le lycée.")
    page.get_by_label("Pièces jointes").set_input_files(str(timetable))
    page.get_by_text("Priorité haute").click()
    page.get_by_text("Demander un accusé de lecture").click()
    page.get_by_role("button", name="Envoyer").click()
    page.get_by_role("button", name="Annuler l’envoi").click()

    expect(page.get_by_text("Votre message est revenu")).to_be_visible()
    expect(page.get_by_label("De", exact=True)).to_have_value(str(vie_scolaire.id))
    expect(page.locator("#id_to")).to_have_value(colleague.email)
    expect(page.locator("#id_cc")).to_have_value("parent@example.org")
    expect(page.locator("#id_bcc")).to_have_value("direction@example.org")
    expect(page.get_by_label("Objet", exact=True)).to_have_value(subject)
    expect(page.get_by_role("textbox", name="Message", exact=True)).to_contain_text(
        "Départ à 8 h devant le lycée."
    )
    assert page.locator("#id_body").input_value().count("-- \nCamille Martin") == 1
    expect(page.get_by_role("checkbox", name="emploi du temps.pdf")).to_be_checked()
    expect(page.get_by_role("checkbox", name="Priorité haute")).to_be_checked()
    expect(page.get_by_role("checkbox", name="Demander un accusé de lecture")).to_be_checked()

    # Scheduled this time, then «Modifier»: the chosen time comes back too.
    page.get_by_label("Envoyer plus tard, le").fill(f"{later:%Y-%m-%dT%H:%M}")
    page.get_by_role("button", name="Envoyer").click()
    page.get_by_role("button", name=f"Modifier : {subject}").click()
    expect(page.get_by_label("Envoyer plus tard, le")).to_have_value(f"{later:%Y-%m-%dT%H:%M}")
    expect(page.get_by_role("checkbox", name="emploi du temps.pdf")).to_be_checked()

    page.get_by_role("button", name="Envoyer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("À envoyer")
    again = OutgoingMessage.objects.exclude(status=OutgoingMessage.Status.CANCELLED).get()
    message = message_from_bytes(bytes(again.raw), policy=policy.default)
    assert message["From"].addresses[0].addr_spec == vie_scolaire.address
    assert "direction@example.org" in again.recipients and "Bcc" not in message
    assert message.get_body(("plain",)).get_content().count("Camille Martin") == 1
    assert message["X-Priority"].startswith("1") and message["Disposition-Notification-To"]
    attached = {part.get_filename(): part.get_content() for part in message.iter_attachments()}
    assert attached == {"emploi du temps.pdf": b"%PDF-1.4 emploi du temps"}
    assert f"{timezone.localtime(again.send_after):%Y-%m-%dT%H:%M}" == f"{later:%Y-%m-%dT%H:%M}"


def test_a_reply_quotes_the_original_as_a_formatted_block(live_server, page, prof):
    Preferences.objects.create(user=prof, undo_send_seconds=30)  # it never leaves
    empty_inbox(prof)  # dated 1 October 2026: other tests' mail would push it off page 1
    subject = unique_subject("Sortie")
    raw = (FIXTURES / "date-no-day-name.eml").read_bytes()
    raw = raw.replace(b"Subject: Sortie au musee", f"Subject: {subject}".encode())
    raw = raw.replace(b"<date-no-day-name@", f"<{subject[-10:]}@".encode())
    assert lmtp_deliver(raw, mail_from="t@example.org", imap_users=[prof.username]).delivered
    sign_in_to_inbox(page, live_server)
    page.get_by_role("link", name=subject).click()
    page.get_by_role("link", name="Répondre", exact=True).click()

    editor = page.get_by_role("textbox", name="Message", exact=True)
    attribution = "Le 1 oct. 2026 08:26, Hélène Dupré <helene.dupre@example.org> a écrit :"
    expect(editor.get_by_text(attribution)).to_be_visible()
    expect(editor.locator("blockquote").first).to_have_text("Bonjour,")
    expect(editor.locator("blockquote").nth(1)).to_have_text("la sortie est confirmee.")
    assert "\n>" not in editor.inner_text()
    editor.press("Control+Home")
    editor.type("Merci, c’est noté.")
    page.get_by_role("button", name="Envoyer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("À envoyer")

    reply = message_from_bytes(bytes(OutgoingMessage.objects.get().raw), policy=policy.default)
    html = reply.get_body(("html",)).get_content()
    assert "<blockquote>la sortie est confirmee.</blockquote>" in html
    plain = reply.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert plain.startswith(f"Merci, c’est noté.\n\n{attribution}\n> Bonjour,\n> la sortie")
