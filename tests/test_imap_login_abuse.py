"""Password guessing on Dovecot's IMAP port: the web sign-in's lockout and history, through
Dovecot's auth policy requests to the web app (accounts/mail_logins.py)."""

import imaplib

import pytest
from django.conf import settings

from accounts.models import AccountEvent, User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.usefixtures("dovecot")


def imap_login(login: str, password: str) -> bool:
    with imaplib.IMAP4(settings.IMAP_HOST, settings.IMAP_PORT, timeout=20) as imap:
        try:
            imap.login(login, password)
        except imaplib.IMAP4.error:
            return False
        imap.logout()
        return True


def test_wrong_imap_passwords_are_recorded_then_delay_then_lock(prof, settings):
    settings.LOGIN_DELAY_AFTER_FAILURES = 2
    settings.LOGIN_LOCK_AFTER_FAILURES = 3
    assert imap_login(prof.username, PASSWORD)  # the right one works, and counts nothing
    assert not imap_login(prof.username, "wrong-guess-imap")
    assert not imap_login(prof.username, "wrong-guess-imap")
    failed = AccountEvent.objects.filter(user=prof, kind=AccountEvent.Kind.LOGIN_FAILED)
    assert failed.count() == 2
    assert failed.first().details.get("channel") == "imap"
    # Delayed now: the right password is refused before being checked, and not counted.
    assert not imap_login(prof.username, PASSWORD)
    assert failed.count() == 2
    prof.refresh_from_db()
    assert prof.status == User.Status.ACTIVE


def test_the_web_app_logins_through_the_master_user_are_not_counted(prof, settings):
    settings.LOGIN_DELAY_AFTER_FAILURES = 1
    assert not imap_login(prof.username, "wrong-guess-imap")
    # The account waits, but the webmail's own sessions (user*master) go on.
    login = f"{prof.username}*{settings.DOVECOT_MASTER_USER}"
    assert imap_login(login, settings.DOVECOT_MASTER_SECRET)
    assert AccountEvent.objects.filter(user=prof, kind=AccountEvent.Kind.LOGIN_FAILED).count() == 1


def test_wrong_imap_passwords_count_toward_the_delay_of_their_address(prof, colleague, settings):
    """Guesses spread over many accounts from one address: each account stays below its own
    delay, the address does not."""
    settings.LOGIN_DELAY_AFTER_FAILURES = 100
    settings.LOGIN_IP_DELAY_AFTER_FAILURES = 2
    assert not imap_login(prof.username, "wrong-guess-imap")
    assert imap_login(colleague.username, PASSWORD)  # one failure from here: no wait yet
    assert not imap_login(colleague.username, "wrong-guess-imap")
    # The address waits now, whichever account it tries, with the right password too.
    assert not imap_login(colleague.username, PASSWORD)
    assert not imap_login(prof.username, PASSWORD)


def test_the_lock_holds_on_the_imap_port(prof, settings):
    settings.LOGIN_DELAY_AFTER_FAILURES = 100
    settings.LOGIN_LOCK_AFTER_FAILURES = 3
    for _ in range(3):
        assert not imap_login(prof.username, "wrong-guess-imap")
    prof.refresh_from_db()
    assert prof.status == User.Status.LOCKED
    assert AccountEvent.objects.filter(user=prof, kind=AccountEvent.Kind.LOCKED).exists()
    assert not imap_login(prof.username, PASSWORD)
