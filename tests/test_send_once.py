"""A message is a draft or queued, never both, and leaves once whatever path sends it again;
cancelled, it comes back whole."""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Preferences
from mail.models import DraftBackup, OutgoingMessage, SharedFile
from tests.conftest import inbox_subjects, unique_subject, wait_for
from tests.test_compose import folder_subjects

pytestmark = pytest.mark.usefixtures("mail_stack")


def test_a_queued_message_is_no_draft_and_leaves_once(client, prof, colleague):
    Preferences.objects.create(user=prof, undo_send_seconds=5)
    client.force_login(prof)
    subject = unique_subject("Réunion parents-professeurs")
    key = str(uuid.uuid4())
    fields = {"sender": prof.personal_mailbox.id, "to": colleague.email, "subject": subject,
              "body": "Jeudi à 18 h."}  # fmt: skip
    assert client.post(reverse("mail:autosave"), {**fields, "key": key}).json()["imap"]
    assert subject in folder_subjects(prof, "Drafts")

    sent = client.post(reverse("mail:compose"), {**fields, "draft_key": key})
    assert sent.status_code == 302
    assert not DraftBackup.objects.filter(key=key).exists()
    assert subject not in folder_subjects(prof, "Drafts")
    inbox = client.get(reverse("mail:folder", args=[prof.personal_mailbox.id, "INBOX"]))
    assert not list(inbox.context["drafts"])

    # The draft's old link, a second «Envoyer» from a stale tab, a late autosave: no copy.
    reopened = client.get(reverse("mail:compose"), {"brouillon": key})
    assert reopened.status_code == 302 and reopened.url == reverse("mail:outbox")
    again = client.post(reverse("mail:compose"), {**fields, "draft_key": key})
    assert again.status_code == 302
    client.post(reverse("mail:autosave"), {**fields, "key": key})
    assert not DraftBackup.objects.filter(key=key).exists()
    assert OutgoingMessage.objects.count() == 1

    wait_for(lambda: OutgoingMessage.objects.get().status == OutgoingMessage.Status.SENT)
    wait_for(lambda: subject in inbox_subjects("collegue.demo"))
    assert inbox_subjects("collegue.demo").count(subject) == 1
    assert folder_subjects(prof, "Sent").count(subject) == 1


def test_cancelling_brings_back_the_links_of_large_files(client, prof, colleague, settings):
    Preferences.objects.create(user=prof, undo_send_seconds=30)
    settings.LARGE_ATTACHMENT_BYTES = 100 * 1024
    client.force_login(prof)
    big = SimpleUploadedFile("bulletins.pdf", b"%PDF-1.4 " + b"x" * (200 * 1024), "application/pdf")
    small = SimpleUploadedFile("liste.txt", b"Lea, Hugo", "text/plain")
    fields = {"sender": prof.personal_mailbox.id, "to": colleague.email, "subject": "Bulletins",
              "body": "Ci-joint.", "draft_key": str(uuid.uuid4())}  # fmt: skip
    client.post(reverse("mail:compose"), {**fields, "attachments": [big, small]})
    outgoing = OutgoingMessage.objects.get()

    reopened = client.get(client.post(reverse("mail:cancel", args=[outgoing.id])).url)
    shared = SharedFile.objects.get(user=prof)
    body = reopened.context["form"].initial["body"]
    assert body.startswith("Ci-joint.") and f"/partage/{shared.token}/" in body
    assert [c["part"].filename for c in reopened.context["carried"]] == ["liste.txt"]
