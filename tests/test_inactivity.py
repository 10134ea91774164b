"""Inactivity: a warning by mail 15 days before, then suspension everywhere until support
reactivates the account."""

import imaplib
import smtplib
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts import inactivity
from accounts.models import AccountEvent, InactivityState, User
from accounts.tasks import suspend_inactive_accounts
from support import console as support
from tests.conftest import PASSWORD, inbox_subjects, make_person, wait_for

WARNING_SUBJECT = "Votre compte Convergence va être suspendu"


@pytest.fixture
def prof(db):
    """Rolled back with the test, so queued warnings never leave (except in the e2e test,
    whose mail_stack makes the database transactional and which waits for its mail)."""
    return make_person("prof.demo", first_name="Camille", last_name="Martin")


@pytest.fixture
def colleague(db):
    return make_person("collegue.demo", first_name="Louis", last_name="Bernard")


def last_used(user, days_ago, now=None):
    now = now or timezone.now()
    User.objects.filter(pk=user.pk).update(
        last_login=now - timedelta(days=days_ago), date_joined=now - timedelta(days=400)
    )


def test_warned_15_days_before_then_suspended(prof, colleague):
    now = timezone.now()
    last_used(prof, 170, now)
    last_used(colleague, 10, now)

    assert inactivity.run(now) == {"warned": 1, "suspended": 0}
    assert InactivityState.objects.get(user=prof).warned_at == now
    assert inactivity.run(now + timedelta(days=1)) == {"warned": 0, "suspended": 0}
    # Day 181, but the warning is only 11 days old: still 4 days to come back.
    assert inactivity.run(now + timedelta(days=11))["suspended"] == 0

    assert inactivity.run(now + timedelta(days=15)) == {"warned": 0, "suspended": 1}
    prof.refresh_from_db()
    colleague.refresh_from_db()
    assert prof.status == User.Status.SUSPENDED and colleague.status == User.Status.ACTIVE
    assert AccountEvent.objects.filter(user=prof, kind=AccountEvent.Kind.SUSPENDED).exists()
    assert prof.notices.get().title == "Votre compte a été suspendu pour inactivité"


def test_an_account_never_warned_gets_its_15_days(prof):
    now = timezone.now()
    last_used(prof, 400, now)  # the job did not run for a long time
    assert inactivity.run(now) == {"warned": 1, "suspended": 0}
    assert inactivity.run(now + timedelta(days=14))["suspended"] == 0
    assert inactivity.run(now + timedelta(days=15))["suspended"] == 1


def test_signing_in_after_the_warning_cancels_the_suspension(prof):
    now = timezone.now()
    last_used(prof, 170, now)
    inactivity.run(now)
    User.objects.filter(pk=prof.pk).update(last_login=now + timedelta(days=2))
    assert inactivity.run(now + timedelta(days=20)) == {"warned": 0, "suspended": 0}


def test_reactivated_account_is_not_suspended_again_at_once(prof):
    agent = make_person("support.demo", category=User.Category.IT_SUPPORT)
    now = timezone.now()
    last_used(prof, 400, now)
    inactivity.run(now - timedelta(days=16))
    assert inactivity.run(now)["suspended"] == 1
    prof.refresh_from_db()
    support.reactivate(actor=agent, user=prof, reason="Retour de congé long")
    assert inactivity.run(timezone.now()) == {"warned": 0, "suspended": 0}


@pytest.mark.e2e
@pytest.mark.usefixtures("mail_stack")
def test_the_periodic_task_warns_by_mail_and_a_suspended_account_is_refused_everywhere(
    client, prof
):
    assert settings.CELERY_BEAT_SCHEDULE["suspend-inactive-accounts"]["task"] == (
        "accounts.tasks.suspend_inactive_accounts"
    )
    last_used(prof, 170)
    suspend_inactive_accounts.delay()  # run by the real worker
    wait_for(lambda: WARNING_SUBJECT in inbox_subjects("prof.demo"))

    # Fifteen days later, for the job.
    InactivityState.objects.filter(user=prof).update(
        warned_at=timezone.now() - timedelta(days=16)
    )
    last_used(prof, 190)
    suspend_inactive_accounts.delay()
    wait_for(lambda: User.objects.get(pk=prof.pk).status == User.Status.SUSPENDED)

    response = client.post(reverse("account_login"),
                           {"login": "prof.demo", "password": PASSWORD}, follow=True)
    assert "_auth_user_id" not in client.session and "suspendu" in response.text
    imap = imaplib.IMAP4(settings.IMAP_HOST, settings.IMAP_PORT)
    with pytest.raises(imaplib.IMAP4.error):
        imap.login("prof.demo", PASSWORD)
    smtp = smtplib.SMTP(settings.GATEWAY_HOST, settings.GATEWAY_SUBMISSION_PORT)
    with pytest.raises(smtplib.SMTPAuthenticationError):
        smtp.login("prof.demo", PASSWORD)
    smtp.close()
