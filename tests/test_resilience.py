"""Nothing accepted is lost: a stopped or killed worker, a Dovecot outage."""

from email import message_from_bytes, policy

import pytest
from django.urls import reverse

from mail.imap import close_all_sessions
from mail.models import SpooledMessage
from mail.pipeline.spool import read_spooled
from tests.conftest import build_message, inbox_subjects, send_inbound, unique_subject, wait_for

pytestmark = pytest.mark.usefixtures("mail_stack")


def in_inbox(subject: str) -> bool:
    return subject in inbox_subjects("prof.demo")


def test_message_waits_in_the_spool_while_the_worker_is_down(prof, worker):
    worker.kill()
    try:
        subject = unique_subject("Absence de Léa")
        send_inbound(build_message(to=prof.email, subject=subject))
        spooled = SpooledMessage.objects.get(recipients=[prof.email])
        assert spooled.status == SpooledMessage.Status.PENDING
        spooled_copy = message_from_bytes(read_spooled(spooled), policy=policy.default)
        assert spooled_copy["Subject"] == subject
        assert not in_inbox(subject)
    finally:
        worker.start()
    wait_for(lambda: in_inbox(subject))
    # The worker records the outcome just after Dovecot has stored the message.
    wait_for(lambda: SpooledMessage.objects.get(pk=spooled.pk).status != "pending")
    spooled.refresh_from_db()
    assert spooled.status == SpooledMessage.Status.DELIVERED


@pytest.mark.e2e
def test_dovecot_outage_gives_a_french_503_and_mail_arrives_after(client, prof, dovecot):
    client.force_login(prof)
    inbox_url = reverse("mail:folder", args=[prof.personal_mailbox.id, "INBOX"])
    dovecot.stop()
    close_all_sessions()
    try:
        page = client.get(inbox_url, HTTP_ACCEPT_LANGUAGE="fr")
        assert page.status_code == 503
        assert "temporairement indisponible" in page.text
        assert "Traceback" not in page.text

        subject = unique_subject("Conseil pédagogique")
        send_inbound(build_message(to=prof.email, subject=subject))  # the gateway still accepts
        wait_for(lambda: SpooledMessage.objects.filter(attempts__gte=1).exists())
        assert SpooledMessage.objects.get().status == SpooledMessage.Status.PENDING
    finally:
        dovecot.start()
    wait_for(lambda: in_inbox(subject), timeout=90)
    assert client.get(inbox_url).status_code == 200
