"""Writing side against the real gateway, worker and Dovecot."""

import uuid
from email import message_from_bytes, policy

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Preferences
from mail.imap import close_all_sessions, imap_session
from mail.models import DraftBackup, OutgoingMessage, SharedFile
from mail.pipeline.gateway import submission_controller
from tests.conftest import (
    build_message,
    deliver,
    inbox_subjects,
    make_person,
    uid_of,
    unique_subject,
    wait_for,
)

pytestmark = [pytest.mark.usefixtures("mail_stack")]


def folder_subjects(user, folder):
    with imap_session(user.username) as box:
        return [e.subject for e in box.list_page(folder, page=1, page_size=500).envelopes]


def compose(client, user, **fields):
    data = {
        "sender": user.personal_mailbox.id,
        "to": "",
        "subject": "",
        "body": "",
        "draft_key": str(uuid.uuid4()),  # a new compose page each time
    } | fields
    return client.post(reverse("mail:compose"), data)


@pytest.fixture
def no_undo_delay(prof):
    Preferences.objects.create(user=prof, undo_send_seconds=0)


def test_send_reaches_the_recipient_and_one_copy_is_in_sent(client, prof, colleague, no_undo_delay):
    client.force_login(prof)
    subject = unique_subject("Réunion de l'équipe")
    attachment = SimpleUploadedFile("ordre du jour.pdf", b"%PDF-1.4 ...", "application/pdf")
    response = compose(
        client,
        prof,
        to=colleague.email,
        subject=subject,
        body="Bonjour,\nRéunion jeudi.",
        attachments=attachment,
        high_priority="on",
    )
    assert response.status_code == 302 and "/a-envoyer/" in response.url
    wait_for(lambda: subject in inbox_subjects("collegue.demo"))
    wait_for(lambda: OutgoingMessage.objects.get().status == OutgoingMessage.Status.SENT)
    assert folder_subjects(prof, "Sent").count(subject) == 1
    client.force_login(colleague)
    uid = uid_of(colleague, subject)
    page = client.get(reverse("mail:message", args=[colleague.personal_mailbox.id, "INBOX", uid]))
    assert "Réunion jeudi." in page.text
    assert [a.filename for a in page.context["message"].attachments] == ["ordre du jour.pdf"]
    headers = dict(page.context["message"].headers)
    assert headers["X-Priority"].startswith("1") and "Bcc" not in headers


def test_cancel_within_the_delay_sends_nothing_and_reopens_the_draft(client, prof, colleague):
    Preferences.objects.create(user=prof, undo_send_seconds=30)
    client.force_login(prof)
    subject = unique_subject("Finalement non")
    response = compose(client, prof, to=colleague.email, subject=subject, body="Brouillon gardé")
    outgoing = OutgoingMessage.objects.get()
    cancelled = client.post(reverse("mail:cancel", args=[outgoing.id]))
    assert cancelled.status_code == 302 and "brouillon=" in cancelled.url
    reopened = client.get(cancelled.url)
    assert reopened.context["form"].initial["subject"] == subject
    assert "Brouillon gardé" in reopened.text
    outgoing.refresh_from_db()
    assert outgoing.status == OutgoingMessage.Status.CANCELLED
    assert response.status_code == 302
    assert subject not in inbox_subjects("collegue.demo")


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("subject", "Bonjour\r\nBcc: victime@example.org", "retours à la ligne"),
        ("to", "pas-une-adresse", "n’est pas une adresse"),
        ("to", "a@example.org\r\nBcc: b@example.org", "retours à la ligne"),
    ],
)
def test_bad_input_is_refused_beside_the_field_and_the_draft_kept(
    client, prof, field, value, error
):
    client.force_login(prof)
    fields = {"to": "collegue@ac-demo.test", "subject": "Sujet", "body": "Texte à garder"}
    fields[field] = value
    response = compose(client, prof, **fields)
    assert response.status_code == 200
    assert error in response.text and "Texte à garder" in response.text
    assert not OutgoingMessage.objects.exists()
    assert DraftBackup.objects.get(user=prof).fields["body"] == "Texte à garder"


def test_oversized_attachments_are_refused_before_sending(client, prof):
    client.force_login(prof)
    big = SimpleUploadedFile("film.mp4", b"x" * (400 * 1024), "video/mp4")  # limit: 512 KiB * 0.7
    response = compose(client, prof, to="a@example.org", subject="Vidéo", attachments=big)
    assert response.status_code == 200 and "limitées à" in response.text
    assert not OutgoingMessage.objects.exists()


def test_reply_is_threaded(client, prof, colleague, no_undo_delay):
    subject = unique_subject("Question")
    question = build_message(to=prof.email, subject=subject, sender=colleague.email)
    deliver(prof, question)
    client.force_login(prof)
    box = prof.personal_mailbox.id
    page = client.get(
        reverse("mail:compose"),
        {"boite": box, "dossier": "INBOX", "uid": uid_of(prof, subject), "mode": "reponse"},
    )
    initial = page.context["form"].initial
    assert initial["subject"] == f"Re: {subject}" and initial["to"].endswith(f"<{colleague.email}>")
    assert initial["in_reply_to"] == question["Message-ID"]
    compose(
        client,
        prof,
        to=colleague.email,
        subject=initial["subject"],
        body="Oui.",
        in_reply_to=initial["in_reply_to"],
        references=initial["references"],
    )
    wait_for(lambda: f"Re: {subject}" in inbox_subjects("collegue.demo"))


def test_autosave_keeps_one_draft_in_the_drafts_folder(client, prof):
    client.force_login(prof)
    key = "0b7f9c1e-2a44-4c55-9a77-0d5a8d1c0e22"
    subject = unique_subject("En cours")
    for body in ("Premier jet", "Deuxième jet"):
        saved = client.post(
            reverse("mail:autosave"),
            {
                "key": key,
                "sender": prof.personal_mailbox.id,
                "to": "",
                "subject": subject,
                "body": body,
            },
        )
        assert saved.json()["saved"] and saved.json()["imap"]
    assert folder_subjects(prof, "Drafts").count(subject) == 1
    assert DraftBackup.objects.get(key=key).fields["body"] == "Deuxième jet"
    restored = client.get(reverse("mail:compose"), {"brouillon": key})
    assert "Deuxième jet" in restored.text


def test_gateway_down_the_message_waits_and_leaves_once(
    client, prof, colleague, gateway, no_undo_delay
):
    gateway[1].stop()
    try:
        client.force_login(prof)
        subject = unique_subject("Patience")
        compose(client, prof, to=colleague.email, subject=subject, body="Il partira.")
        wait_for(lambda: OutgoingMessage.objects.get().attempts >= 1)
        outbox = client.get(reverse("mail:outbox"))
        assert "le serveur de messagerie ne répond pas" in outbox.text
    finally:
        gateway[1] = submission_controller(settings.GATEWAY_SUBMISSION_PORT)
        gateway[1].start()
    wait_for(lambda: subject in inbox_subjects("collegue.demo"), timeout=60)
    wait_for(lambda: OutgoingMessage.objects.get().status == OutgoingMessage.Status.SENT)
    assert inbox_subjects("collegue.demo").count(subject) == 1
    assert folder_subjects(prof, "Sent").count(subject) == 1


def test_signatures_and_templates_are_managed_and_offered(client, prof):
    client.force_login(prof)
    url = reverse("mail:writing_tools", args=["signatures"])
    client.post(url, {"name": "interne", "body": "Camille Martin\nMaths", "is_default": "on"})
    client.post(
        url, {"name": "externe", "body": "C. Martin", "is_default": "on", "with_mentions": "on"}
    )
    signatures = {s.name: s for s in prof.signature_set.all()}
    assert not signatures["interne"].is_default and signatures["externe"].is_default
    assert "destinataires" in signatures["externe"].full_text  # the académie's mentions

    client.post(
        reverse("mail:writing_tools", args=["modeles"]),
        {
            "name": "Convocation",
            "subject": "Convocation de {prénom} {nom}",
            "body": "Votre enfant {prénom} ({classe}) est convoqué le {date}.",
        },
    )
    page = client.get(reverse("mail:compose"))
    assert page.context["form"].initial["body"].startswith("\n\n-- \nC. Martin")
    offered = list(page.context["template_texts"].values())  # to the page's script
    assert offered[0]["subject"] == "Convocation de {prénom} {nom}"
    assert 'id="templates-data"' in page.text
    assert client.get("/mail/autre/").status_code == 404

    other = make_person("autre.demo")
    client.force_login(other)
    item = signatures["interne"].id
    assert (
        client.get(reverse("mail:writing_tool_edit", args=["signatures", item])).status_code == 404
    )


def test_recipient_suggestions_come_from_the_directory(client, prof, colleague):
    client.force_login(prof)
    found = client.get(reverse("mail:addresses"), {"q": "bern"}).json()["results"]
    assert [s["value"] for s in found] == [f"Louis Bernard <{colleague.email}>"]
    assert client.get(reverse("mail:addresses"), {"q": "b"}).json()["results"] == []


def test_a_draft_survives_a_dovecot_outage_and_is_offered_at_next_login(client, prof, dovecot):
    client.force_login(prof)
    key = "5a0c2c1e-2a44-4c55-9a77-0d5a8d1c0e33"
    dovecot.stop()
    close_all_sessions()
    try:
        saved = client.post(
            reverse("mail:autosave"),
            {
                "key": key,
                "sender": prof.personal_mailbox.id,
                "subject": "Relance des familles",
                "body": "Chers parents,",
            },
        )
        assert saved.json() == {"saved": True, "key": key, "imap": False}
    finally:
        dovecot.start()
    client.logout()
    client.force_login(prof)
    inbox = client.get(reverse("mail:folder", args=[prof.personal_mailbox.id, "INBOX"]))
    assert "Relance des familles" in inbox.text and f"brouillon={key}" in inbox.text
    assert "Chers parents," in client.get(reverse("mail:compose"), {"brouillon": key}).text


def test_large_files_leave_as_expiring_revocable_links(client, prof, colleague, settings):
    settings.LARGE_ATTACHMENT_BYTES = 100 * 1024
    client.force_login(prof)
    data = b"%PDF-1.4 " + b"x" * (300 * 1024)
    big = SimpleUploadedFile("bulletins 2nde 3.pdf", data, "application/pdf")
    response = compose(
        client, prof, to=colleague.email, subject="Bulletins", body="Ci-joint.", attachments=big
    )
    assert response.status_code == 302
    outgoing = OutgoingMessage.objects.get()
    raw = bytes(outgoing.raw)
    assert b"application/pdf" not in raw  # not in the message itself
    shared = SharedFile.objects.get(user=prof)
    text = message_from_bytes(raw, policy=policy.default).get_body(("plain",)).get_content()
    assert f"/partage/{shared.token}/" in text and "bulletins 2nde 3.pdf (300,0" in text

    client.logout()  # recipients need no account
    link = reverse("shared_file", args=[shared.token])
    download = client.get(link)
    assert b"".join(download.streaming_content) == data
    assert "attachment" in download["Content-Disposition"]

    client.force_login(prof)
    client.post(reverse("mail:revoke_shared_file", args=[shared.id]))
    client.logout()
    assert client.get(link).status_code == 410
    assert client.get(reverse("shared_file", args=["inconnu"])).status_code == 410


def test_forward_as_attachment_keeps_the_original_whole(client, prof, colleague, no_undo_delay):
    subject = unique_subject("Circulaire")
    deliver(prof, build_message(to=prof.email, subject=subject, body="Texte d'origine."))
    client.force_login(prof)
    box = prof.personal_mailbox.id
    page = client.get(
        reverse("mail:compose"),
        {"boite": box, "dossier": "INBOX", "uid": uid_of(prof, subject), "mode": "transfert-pj"},
    )
    initial = page.context["form"].initial
    assert initial["subject"] == f"Tr: {subject}" and "joint" in page.text
    compose(
        client,
        prof,
        to=colleague.email,
        subject=initial["subject"],
        body="Pour info.",
        forward=initial["forward"],
    )
    wait_for(lambda: f"Tr: {subject}" in inbox_subjects("collegue.demo"))
    sent = message_from_bytes(bytes(OutgoingMessage.objects.get().raw), policy=policy.default)
    attached = next(part for part in sent.iter_attachments())
    assert attached.get_content_type() == "message/rfc822"
    assert "Texte d'origine." in attached.get_content().get_body(("plain",)).get_content()

    stranger = make_person("intrus.demo")
    client.force_login(stranger)
    refused = compose(
        client, stranger, to="a@example.org", subject="x", body="x", forward=initial["forward"]
    )
    assert refused.status_code == 404  # someone else's message cannot be forwarded


def test_readable_names_are_encoded_in_the_headers_only(client, prof):
    """«Hélène Dupré <…>» as the suggestions write it leaves as RFC 2047 words (#11)."""
    Preferences.objects.create(user=prof, undo_send_seconds=30)  # it waits: no delivery
    client.force_login(prof)
    to = 'Hélène Dupré <helene.dupre@ac-demo.test>, "Dupré, Hélène" <h.dupre@example.org>'
    assert compose(client, prof, to=to, subject="Sortie", body="Bonjour").status_code == 302
    raw = bytes(OutgoingMessage.objects.get().raw)
    header = raw.split(b"\r\n\r\n", 1)[0]
    assert header.isascii() and b"=?utf-8?" in header
    sent = message_from_bytes(raw, policy=policy.default)
    assert [(a.display_name, a.addr_spec) for a in sent["To"].addresses] == [
        ("Hélène Dupré", "helene.dupre@ac-demo.test"), ("Dupré, Hélène", "h.dupre@example.org"),
    ]  # fmt: skip
