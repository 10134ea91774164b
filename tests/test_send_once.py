"""A message is a draft or queued, never both, and leaves once whatever path sends it again;
cancelled, it comes back whole."""

import threading
import uuid
from email.policy import SMTP
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.models import Preferences
from mail.imap import imap_session
from mail.imap.session import MailboxSession
from mail.models import DraftBackup, OutgoingMessage, SharedFile
from mail.outgoing import sending
from mail.outgoing.compose import Composition, build_message
from mail.transport import smtp
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


# --- Two tasks for one message at once (issue 17) -----------------------------------------
# After a worker restart the due sweep, the safety net and the broker's redelivery can each
# queue ``send_outgoing`` for the same message, and the worker runs two tasks at a time.


def _outgoing(prof, colleague, subject: str, **fields) -> OutgoingMessage:
    """Due now, with no task queued; the sweeps leave it alone for SPOOL_STALLED_SECONDS."""
    message = build_message(
        Composition(sender_name="Camille Martin", sender_address=prof.email,
                    to=[colleague.email], subject=subject, body="Départ 8 h.")
    )  # fmt: skip
    return OutgoingMessage.objects.create(
        user=prof,
        mailbox=prof.personal_mailbox,
        message_id=message["Message-ID"],
        subject=subject,
        mail_from=prof.email,
        recipients=[colleague.email],
        raw=message.as_bytes(policy=SMTP),
        send_after=timezone.now(),
        **fields,
    )


def _paused_in(target, name: str, outgoing_id: int):
    """Run ``do_send_message`` in a thread (a first task) that stops inside ``name`` of
    ``target`` until told to go on; other threads pass through. Returns (go_on, thread)."""
    real = getattr(target, name)
    inside, go_on, first = threading.Event(), threading.Event(), []

    def paused(*args, **kwargs):
        if threading.current_thread() is thread:
            inside.set()
            assert go_on.wait(30)
        return real(*args, **kwargs)

    def run():
        try:
            sending.do_send_message(outgoing_id)
        except BaseException as exc:  # re-raised in the test's thread
            first.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    patcher = mock.patch.object(target, name, paused)
    patcher.start()
    thread.start()
    assert inside.wait(30), "the first task never got there"

    def finish():
        go_on.set()
        thread.join(30)
        patcher.stop()
        if first:
            raise first[0]

    return finish


def test_a_second_task_while_the_first_files_the_copy_adds_no_second_copy(prof, colleague):
    subject = unique_subject("Sortie au musée")
    outgoing = _outgoing(prof, colleague, subject)
    finish = _paused_in(MailboxSession, "append", outgoing.id)  # submitted, filing in Sent
    sending.do_send_message(outgoing.id)  # the sweep's task, meanwhile
    finish()
    outgoing.refresh_from_db()
    assert outgoing.status == OutgoingMessage.Status.SENT and outgoing.attempts == 1
    assert folder_subjects(prof, "Sent").count(subject) == 1
    wait_for(lambda: subject in inbox_subjects("collegue.demo"))


def test_a_second_task_while_the_first_submits_does_not_submit_again(prof, colleague):
    subject = unique_subject("Conseil pédagogique")
    outgoing = _outgoing(prof, colleague, subject)
    with mock.patch.object(smtp, "submit_as", wraps=smtp.submit_as) as submitted:
        finish = _paused_in(smtp, "submit_as", outgoing.id)
        sending.do_send_message(outgoing.id)
        finish()
    assert submitted.call_count == 1
    outgoing.refresh_from_db()
    assert outgoing.status == OutgoingMessage.Status.SENT and outgoing.attempts == 1
    assert folder_subjects(prof, "Sent").count(subject) == 1


def test_a_copy_filed_before_a_crash_is_not_filed_again(prof, colleague):
    """The worker died after Dovecot stored the copy, before the row said so."""
    subject = unique_subject("Bulletins du trimestre")
    outgoing = _outgoing(prof, colleague, subject, status=OutgoingMessage.Status.SUBMITTED,
                         attempts=1, sent_at=timezone.now())  # fmt: skip
    with imap_session(prof.username) as box:
        box.append("Sent", bytes(outgoing.raw), seen=True)
    sending.do_send_message(outgoing.id)
    outgoing.refresh_from_db()
    assert outgoing.status == OutgoingMessage.Status.SENT
    assert folder_subjects(prof, "Sent").count(subject) == 1
