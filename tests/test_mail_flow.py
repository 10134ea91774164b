"""End to end: SMTP in → spool → Celery → Dovecot → the inbox page of the right user only."""

import smtplib
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.models import Preferences
from mail.models import SpooledMessage
from tests.conftest import (
    PASSWORD,
    build_message,
    empty_inbox,
    inbox_subjects,
    make_person,
    send_inbound,
    unique_subject,
    wait_for,
)

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("mail_stack")]


def test_inbound_message_reaches_only_its_recipient(client, prof, colleague):
    subject = unique_subject("Réunion parents-professeurs")
    send_inbound(build_message(to=prof.email, subject=subject, body="Rendez-vous jeudi à 17 h."))

    wait_for(lambda: subject in inbox_subjects("prof.demo"))
    # The worker records the outcome just after Dovecot has stored the message.
    wait_for(lambda: SpooledMessage.objects.get(recipients=[prof.email]).status != "pending")
    spooled = SpooledMessage.objects.get(recipients=[prof.email])
    assert spooled.status == SpooledMessage.Status.DELIVERED
    assert not spooled.chunks.exists()  # Dovecot has it now; the spooled bytes are gone

    client.force_login(prof)
    inbox = client.get(reverse("mail:folder", args=[prof.personal_mailbox.id, "INBOX"]))
    assert inbox.status_code == 200
    assert subject in inbox.text
    envelope = next(e for e in inbox.context["page"].envelopes if e.subject == subject)
    assert not envelope.seen
    url = reverse("mail:message", args=[prof.personal_mailbox.id, "INBOX", envelope.uid])
    opened = client.get(url)
    assert opened.status_code == 200
    assert "Rendez-vous jeudi à 17 h." in opened.text

    # The colleague neither sees it in their inbox nor reaches it by URL.
    assert subject not in inbox_subjects("collegue.demo")
    client.force_login(colleague)
    assert client.get(url).status_code == 404
    own = client.get(reverse("mail:folder", args=[colleague.personal_mailbox.id, "INBOX"]))
    assert subject not in own.text
    other_inbox = reverse("mail:folder", args=[prof.personal_mailbox.id, "INBOX"])
    assert client.get(other_inbox).status_code == 404


def test_inbox_lists_newest_first_and_paginates(client, prof):
    Preferences.objects.create(user=prof, page_size=2)
    empty_inbox(prof)
    subjects = [unique_subject(f"Circulaire {n}") for n in range(3)]
    # Sent out of order: the list follows the Date header, not the arrival.
    for minutes, subject in [(2, subjects[1]), (3, subjects[2]), (1, subjects[0])]:
        date = datetime.now(UTC) + timedelta(minutes=minutes)
        send_inbound(build_message(to=prof.email, subject=subject, date=date))
        wait_for(lambda s=subject: s in inbox_subjects("prof.demo"))

    client.force_login(prof)
    url = reverse("mail:folder", args=[prof.personal_mailbox.id, "INBOX"])
    first = client.get(url).context["page"]
    assert [e.subject for e in first.envelopes] == [subjects[2], subjects[1]]
    assert first.page_count >= 2
    second = client.get(url, {"page": 2}).context["page"]
    assert second.envelopes[0].subject == subjects[0]


def test_unknown_local_recipient_is_refused_at_rcpt(prof):
    with smtplib.SMTP(settings.GATEWAY_HOST, settings.GATEWAY_INBOUND_PORT) as smtp:
        smtp.ehlo()
        smtp.mail("famille@example.org")
        code, _ = smtp.rcpt(f"personne.inconnue@{settings.MAIL_DOMAIN}")
        assert code == 550
        code, _ = smtp.rcpt("quelquun@example.org")
        assert code == 550  # the inbound port relays for no one


def test_oversized_message_is_refused_with_552(prof):
    message = build_message(to=prof.email, subject="Trop gros", body="x" * (600 * 1024))
    with pytest.raises(smtplib.SMTPException) as refused:
        send_inbound(message)
    assert "552" in str(refused.value)
    assert not SpooledMessage.objects.exists()


def test_submission_requires_authentication_and_own_sender(prof, colleague):
    host, port = settings.GATEWAY_HOST, settings.GATEWAY_SUBMISSION_PORT
    with smtplib.SMTP(host, port) as smtp:
        smtp.ehlo()
        code, _ = smtp.mail(prof.email)
        assert code == 530
    with smtplib.SMTP(host, port) as smtp, pytest.raises(smtplib.SMTPAuthenticationError):
        smtp.login("prof.demo", "mauvais-mot-de-passe")
    with smtplib.SMTP(host, port) as smtp:
        smtp.login("prof.demo", PASSWORD)
        with pytest.raises(smtplib.SMTPSenderRefused):
            smtp.send_message(
                build_message(to=colleague.email, subject="x", sender=colleague.email)
            )

    subject = unique_subject("Sortie scolaire")
    with smtplib.SMTP(host, port) as smtp:
        smtp.login("prof.demo", PASSWORD)
        smtp.send_message(build_message(to=colleague.email, subject=subject, sender=prof.email))
    wait_for(lambda: subject in inbox_subjects("collegue.demo"))
    assert SpooledMessage.objects.get(recipients=[colleague.email]).submitted_by == prof


def test_external_recipient_is_captured_not_sent(prof):
    with smtplib.SMTP(settings.GATEWAY_HOST, settings.GATEWAY_SUBMISSION_PORT) as smtp:
        smtp.login("prof.demo", PASSWORD)
        smtp.send_message(
            build_message(to="parent@example.org", subject="Dehors", sender=prof.email)
        )
    spooled = wait_for(
        lambda: SpooledMessage.objects.filter(status=SpooledMessage.Status.CAPTURED).first()
    )
    assert spooled.recipients == ["parent@example.org"]
    assert spooled.chunks.exists()  # kept for inspection in development


def test_captured_external_mail_is_readable_in_the_admin(client, prof):
    with smtplib.SMTP(settings.GATEWAY_HOST, settings.GATEWAY_SUBMISSION_PORT) as smtp:
        smtp.login("prof.demo", PASSWORD)
        smtp.send_message(
            build_message(to="parent@example.org", subject="Capturé", sender=prof.email)
        )
    spooled = wait_for(
        lambda: SpooledMessage.objects.filter(status=SpooledMessage.Status.CAPTURED).first()
    )
    admin = make_person("admin.demo", is_staff=True, is_superuser=True)
    client.force_login(admin)
    page = client.get(reverse("admin:mail_spooledmessage_change", args=[spooled.id]))
    assert "To: parent@example.org" in page.text  # the captured message itself
