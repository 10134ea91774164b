"""Read receipts (RFC 8098): the reader chooses, and receipts come back to the sent message."""

from email import message_from_bytes, policy
from email.policy import SMTP
from pathlib import Path

import pytest
from django.urls import reverse

from accounts.models import Preferences
from mail.imap import imap_session
from mail.message.parse import read_message
from mail.models import OutgoingMessage, ReadReceipt
from mail.outgoing.receipts import build_receipt, parse_receipt
from tests.conftest import deliver, inbox_subjects, make_person, uid_of, unique_subject, wait_for
from tests.test_compose import compose, folder_subjects

FIXTURES = Path(__file__).parent / "fixtures" / "mail"


def test_a_receipt_we_build_is_one_we_understand():
    original = read_message(
        b"From: a@example.org\r\nTo: b@ac-demo.test\r\nSubject: Bulletin\r\n"
        b"Message-ID: <bulletin-1@example.org>\r\n\r\nTexte\r\n"
    )
    report = build_receipt(
        original, reader_name="Louis Bernard", reader="b@ac-demo.test", to=["a@example.org"]
    )
    raw = report.as_bytes(policy=SMTP)
    assert b"multipart/report; report-type=\"disposition-notification\"" in raw
    understood = parse_receipt(raw)
    assert understood.original_message_id == "<bulletin-1@example.org>"
    assert understood.reader == "b@ac-demo.test" and understood.disposition == "displayed"
    assert parse_receipt(b"Subject: pas un accuse\r\n\r\ntexte") is None


def sent_with_receipt(client, prof, colleague, subject):
    client.force_login(prof)
    compose(client, prof, to=colleague.email, subject=subject, body="Merci de confirmer.",
            read_receipt="on")  # fmt: skip
    wait_for(lambda: subject in inbox_subjects(colleague.username))
    wait_for(lambda: subject in folder_subjects(prof, "Sent"))
    return OutgoingMessage.objects.get(subject=subject)


def message_url(user, subject, folder="INBOX"):
    uid = uid_of(user, subject, folder)
    return reverse("mail:message", args=[user.personal_mailbox.id, folder, uid])


@pytest.mark.usefixtures("mail_stack")
def test_reader_sends_a_receipt_and_the_sender_sees_who_read_it(client, prof, colleague):
    Preferences.objects.create(user=prof, undo_send_seconds=0)
    subject = unique_subject("Réunion parents-professeurs")
    outgoing = sent_with_receipt(client, prof, colleague, subject)

    client.force_login(colleague)
    page = client.get(message_url(colleague, subject))
    assert "L’expéditeur demande un accusé de lecture." in page.text
    answer_url = reverse(
        "mail:receipt", args=[colleague.personal_mailbox.id, "INBOX", uid_of(colleague, subject)]
    )
    outsider = make_person("intrus.demo")
    client.force_login(outsider)
    assert client.post(answer_url, {"reponse": "envoyer"}).status_code == 404
    client.force_login(colleague)
    assert client.post(answer_url, {"reponse": "envoyer"}).status_code == 302
    assert "demande un accusé" not in client.get(message_url(colleague, subject)).text
    client.post(answer_url, {"reponse": "envoyer"})  # a second click sends nothing more

    receipt_subject = f"Accusé de lecture : {subject}"
    wait_for(lambda: receipt_subject in inbox_subjects(prof.username))
    assert OutgoingMessage.objects.filter(kind="receipt").count() == 1
    client.force_login(prof)
    sent_page = client.get(message_url(prof, subject, "Sent"))
    assert "Lu par Louis Bernard le" in sent_page.text
    receipt = ReadReceipt.objects.get()
    assert receipt.outgoing == outgoing and receipt.reader == colleague.email
    receipt_page = client.get(message_url(prof, receipt_subject))
    assert f"accusé de lecture pour votre message « {subject} »" in receipt_page.text
    # Receipts are not the user's writing: not in Sent, not in «À envoyer».
    assert receipt_subject not in folder_subjects(colleague, "Sent")
    assert receipt_subject not in client.get(reverse("mail:outbox")).text


@pytest.mark.usefixtures("mail_stack")
def test_reader_declines_and_nothing_is_sent(client, prof, colleague):
    Preferences.objects.create(user=prof, undo_send_seconds=0)
    subject = unique_subject("Sondage cantine")
    sent_with_receipt(client, prof, colleague, subject)
    client.force_login(colleague)
    uid = uid_of(colleague, subject)
    url = reverse("mail:receipt", args=[colleague.personal_mailbox.id, "INBOX", uid])
    assert client.post(url, {"reponse": "refuser"}).status_code == 302
    assert "demande un accusé" not in client.get(message_url(colleague, subject)).text
    with imap_session(colleague.username) as box:
        assert "$mdnsent" in box.flags("INBOX", uid)  # other mail clients will not ask again
    assert not OutgoingMessage.objects.filter(kind="receipt").exists()
    client.force_login(prof)
    sent_page = client.get(message_url(prof, subject, "Sent"))
    assert "aucun n’est encore revenu" in sent_page.text
    assert "demande un accusé" not in sent_page.text  # never asked about one's own message


@pytest.mark.usefixtures("mail_stack")
def test_a_receipt_from_another_mail_client_is_linked(client, prof, colleague):
    Preferences.objects.create(user=prof, undo_send_seconds=0)
    subject = unique_subject("Réunion")
    outgoing = sent_with_receipt(client, prof, colleague, subject)
    raw = (FIXTURES / "mdn-thunderbird.eml").read_bytes()
    raw = raw.replace(b"{message_id}", outgoing.message_id.encode())
    deliver(prof, message_from_bytes(raw, policy=policy.default))
    page = client.get(message_url(prof, subject, "Sent"))
    assert "Lu par agent@rectorat.example le 9 mars 2026" in page.text
