"""seed_demo against the real stack: mail travels through the gateway; a re-run resets logins."""

import imaplib

import pytest
from django.conf import settings
from django.core.management import call_command

from accounts.models import User
from mail.models import SpooledMessage
from tests.conftest import PASSWORD, inbox_subjects, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("mail_stack")]


def test_seed_demo_delivers_through_the_gateway_and_restores_demo_logins():
    call_command("seed_demo")
    sent = SpooledMessage.objects.count()
    assert sent > 200
    wait_for(
        lambda: not SpooledMessage.objects.filter(status=SpooledMessage.Status.PENDING).exists(),
        timeout=120,
    )
    assert len(inbox_subjects("prof.demo")) >= 100
    assert inbox_subjects("vie-scolaire.0311234y")

    prof = User.objects.get(username="prof.demo")
    prof.set_password("Un-autre-mot-de-passe-2026")
    prof.status = User.Status.LOCKED
    prof.save()
    call_command("seed_demo")
    assert SpooledMessage.objects.count() == sent  # nothing sent twice
    prof.refresh_from_db()
    assert prof.status == User.Status.ACTIVE and prof.check_password(PASSWORD)
    client = imaplib.IMAP4(settings.IMAP_HOST, settings.IMAP_PORT)
    assert client.login("secretariat.demo", PASSWORD)[0] == "OK"
    client.logout()
