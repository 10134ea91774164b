"""Password guessing on the submission port, against the real gateway: the same lockout and
history as the web sign-in, and a credential check that never holds the event loop."""

import smtplib
import threading
import time

import pytest
from django.conf import settings

from accounts.models import AccountEvent, User
from mail.pipeline import gateway as gateway_module
from tests.conftest import PASSWORD

pytestmark = pytest.mark.usefixtures("gateway")


def smtp_login(login: str, password: str) -> int:
    """The SMTP reply code to AUTH PLAIN with these credentials."""
    with smtplib.SMTP(settings.GATEWAY_HOST, settings.GATEWAY_SUBMISSION_PORT, timeout=20) as smtp:
        smtp.ehlo()
        smtp.user, smtp.password = login, password
        try:  # one mechanism: smtp.login() would try LOGIN after PLAIN, two guesses
            smtp.auth("PLAIN", smtp.auth_plain)
        except smtplib.SMTPAuthenticationError as refused:
            return refused.smtp_code
        return 235


def test_wrong_smtp_passwords_are_recorded_delayed_then_lock(prof, settings):
    settings.LOGIN_DELAY_AFTER_FAILURES = 3
    settings.LOGIN_LOCK_AFTER_FAILURES = 5
    for _ in range(3):
        assert smtp_login(prof.username, "wrong-guess-1") == 535
    failed = AccountEvent.objects.filter(user=prof, kind=AccountEvent.Kind.LOGIN_FAILED)
    assert failed.count() == 3
    assert failed.first().details.get("channel") == "smtp"
    assert failed.first().ip == "127.0.0.1"
    # Now delayed: even the right password waits, and is not checked.
    assert smtp_login(prof.username, PASSWORD) == 454
    prof.refresh_from_db()
    assert prof.status == User.Status.ACTIVE


def test_the_lock_holds_on_the_submission_port(prof, settings):
    settings.LOGIN_DELAY_AFTER_FAILURES = 100
    settings.LOGIN_LOCK_AFTER_FAILURES = 4
    for _ in range(4):
        assert smtp_login(prof.username, "wrong-guess-2") == 535
    prof.refresh_from_db()
    assert prof.status == User.Status.LOCKED
    assert AccountEvent.objects.filter(user=prof, kind=AccountEvent.Kind.LOCKED).exists()
    assert smtp_login(prof.username, PASSWORD) == 535


def test_a_right_password_starts_the_count_again(prof, settings):
    settings.LOGIN_DELAY_AFTER_FAILURES = 3
    assert smtp_login(prof.username, "wrong-guess-3") == 535
    assert smtp_login(prof.username, "wrong-guess-3") == 535
    assert smtp_login(prof.username, PASSWORD) == 235
    assert smtp_login(prof.username, "wrong-guess-3") == 535
    assert smtp_login(prof.username, "wrong-guess-3") == 535
    assert smtp_login(prof.username, PASSWORD) == 235


def test_a_slow_password_check_does_not_hold_other_sessions(prof, monkeypatch):
    """A credential check in flight (Argon2 takes its time) leaves the gateway answering."""
    entered, release = threading.Event(), threading.Event()
    real_check = gateway_module._check_credentials

    def slow_check(*args, **kwargs):
        entered.set()
        release.wait(20)
        return real_check(*args, **kwargs)

    monkeypatch.setattr(gateway_module, "_check_credentials", slow_check)
    pending = threading.Thread(target=smtp_login, args=(prof.username, PASSWORD))
    pending.start()
    try:
        assert entered.wait(10)
        started = time.monotonic()
        with smtplib.SMTP(
            settings.GATEWAY_HOST, settings.GATEWAY_SUBMISSION_PORT, timeout=20
        ) as smtp:
            smtp.ehlo()
            smtp.noop()
        assert time.monotonic() - started < 2
    finally:
        release.set()
        pending.join()
