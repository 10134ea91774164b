"""App passwords: the only way into IMAP (real Dovecot) and submission (real gateway) once 2FA
is on; revocable; their last use recorded by Dovecot itself and by the gateway."""

import imaplib
import smtplib

import pyotp
import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings

from accounts import app_passwords
from accounts.models import AccountEvent, AppPasswordUse
from tests.conftest import PASSWORD, wait_for


def imap_login_works(login: str, password: str) -> bool:
    client = imaplib.IMAP4(settings.IMAP_HOST, settings.IMAP_PORT)
    try:
        client.login(login, password)
    except imaplib.IMAP4.error:
        return False
    client.select("INBOX")
    client.logout()
    return True


def submission_login_works(login: str, password: str) -> bool:
    with smtplib.SMTP(settings.GATEWAY_HOST, settings.GATEWAY_SUBMISSION_PORT, timeout=10) as smtp:
        try:
            smtp.login(login, password)
        except smtplib.SMTPAuthenticationError:
            return False
        return True


def used_at(app_password) -> int | None:
    use = AppPasswordUse.objects.filter(app_password=app_password).first()
    return use.used_at if use else None


def test_app_password_format_and_prefix():
    for _ in range(50):
        password = app_passwords._generate()
        assert app_passwords.looks_like_app_password(password)
        assert len(password) == 19 and password.count("-") == 3
    assert not app_passwords.looks_like_app_password(PASSWORD)
    assert not app_passwords.looks_like_app_password("abcd-efgh-ijkl-mnop")  # i, l: not drawn


@pytest.mark.e2e
@pytest.mark.usefixtures("mail_stack")
def test_mail_clients_need_an_app_password_once_two_factor_is_on(prof):
    assert imap_login_works("prof.demo", PASSWORD)
    assert submission_login_works("prof.demo", PASSWORD)

    TOTP.activate(prof, pyotp.random_base32())
    assert not imap_login_works("prof.demo", PASSWORD)
    assert not imap_login_works("prof.demo@ac-demo.test", PASSWORD)
    assert not submission_login_works("prof.demo", PASSWORD)

    phone, secret = app_passwords.create_app_password(user=prof, label="Téléphone")
    assert secret not in phone.password and phone.prefix == secret[:4]
    assert used_at(phone) is None
    assert imap_login_works("prof.demo", secret)
    # Dovecot's last_login plugin wrote it through the SQL dict.
    assert wait_for(lambda: used_at(phone), timeout=10)

    AppPasswordUse.objects.all().delete()
    assert submission_login_works("Prof.Demo@ac-demo.test", secret)
    assert used_at(phone)

    # Somebody else's app password, or a guess with the right prefix, opens nothing.
    assert not imap_login_works("collegue.demo", secret)
    assert not imap_login_works("prof.demo", secret[:5] + "aaaa-aaaa-aaaa")
    assert not submission_login_works("prof.demo", secret[:5] + "aaaa-aaaa-aaaa")

    assert app_passwords.revoke_app_password(user=prof, app_password_id=phone.pk)
    assert not imap_login_works("prof.demo", secret)
    assert not submission_login_works("prof.demo", secret)
    actions = list(
        AccountEvent.objects.filter(user=prof, kind=AccountEvent.Kind.APP_PASSWORD)
        .order_by("id").values_list("details__action", flat=True)
    )
    assert actions == ["created", "revoked"]


@pytest.mark.usefixtures("mail_stack")
def test_revoke_all_and_locked_accounts(prof, colleague):
    _, laptop = app_passwords.create_app_password(user=prof, label="Thunderbird")
    _, phone = app_passwords.create_app_password(user=prof, label="Téléphone")
    _, other = app_passwords.create_app_password(user=colleague, label="Téléphone")
    assert imap_login_works("prof.demo", laptop) and imap_login_works("prof.demo", phone)

    prof.status = prof.Status.LOCKED
    prof.save()
    assert not imap_login_works("prof.demo", phone)
    assert not submission_login_works("prof.demo", phone)
    prof.status = prof.Status.ACTIVE
    prof.save()

    assert app_passwords.revoke_all(prof, actor=colleague, reason="téléphone perdu") == 2
    assert not imap_login_works("prof.demo", laptop) and not imap_login_works("prof.demo", phone)
    assert imap_login_works("collegue.demo", other)
    assert app_passwords.revoke_all(prof) == 0
    # Another person's app password cannot be revoked through one's own account.
    other_row = app_passwords.active(colleague).get()
    assert not app_passwords.revoke_app_password(user=prof, app_password_id=other_row.pk)
