"""Accounts: sign-in by login or e-mail, status enforced on the web, IMAP and submission alike."""

import imaplib
import smtplib

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.models import User
from accounts.numen import numen_hash
from tests.conftest import PASSWORD, make_person


@pytest.mark.django_db
@pytest.mark.parametrize("login", ["prof.demo", "prof.demo@ac-demo.test", "Prof.Demo@AC-demo.test"])
def test_sign_in_with_login_or_email(client, login):
    make_person("prof.demo")
    response = client.post(reverse("account_login"), {"login": login, "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("mail:home")


@pytest.mark.django_db
def test_failed_sign_in_does_not_reveal_whether_the_account_exists(client):
    make_person("prof.demo")
    wrong_password = client.post(
        reverse("account_login"), {"login": "prof.demo", "password": "pas-le-bon"}
    )
    no_account = client.post(
        reverse("account_login"), {"login": "personne.inconnue", "password": "pas-le-bon"}
    )
    assert wrong_password.status_code == no_account.status_code == 200
    assert wrong_password.context["form"].errors == no_account.context["form"].errors


@pytest.mark.django_db
@pytest.mark.parametrize("status", [User.Status.LOCKED, User.Status.SUSPENDED])
def test_locked_or_suspended_account_cannot_sign_in(client, status):
    make_person("prof.demo", status=status)
    response = client.post(
        reverse("account_login"), {"login": "prof.demo", "password": PASSWORD}, follow=True
    )
    assert "_auth_user_id" not in client.session
    assert "verrouillé ou suspendu" in response.text


@pytest.mark.django_db
def test_signup_is_closed(client):
    response = client.get(reverse("account_signup"))
    assert response.status_code == 200
    assert "signup_closed" in " ".join(t.name for t in response.templates if t.name)


@pytest.mark.django_db
def test_password_hash_is_argon2id_with_parallelism_one():
    user = make_person("prof.demo")
    assert user.password.startswith("argon2$argon2id$")
    assert ",p=1$" in user.password


def test_numen_is_kept_only_as_a_keyed_hash():
    digest = numen_hash("12 e3456789abc")
    assert digest == numen_hash("12E3456789ABC")
    assert "3456789" not in digest and len(digest) == 64


@pytest.mark.usefixtures("mail_stack")
def test_phones_use_the_account_password_and_locked_accounts_are_refused(prof):
    for login in ("prof.demo", "Prof.Demo@ac-demo.test"):
        client = imaplib.IMAP4(settings.IMAP_HOST, settings.IMAP_PORT)
        assert client.login(login, PASSWORD)[0] == "OK"
        client.logout()
    client = imaplib.IMAP4(settings.IMAP_HOST, settings.IMAP_PORT)
    with pytest.raises(imaplib.IMAP4.error):
        client.login("prof.demo", "pas-le-bon")

    prof.status = User.Status.LOCKED
    prof.save()
    client = imaplib.IMAP4(settings.IMAP_HOST, settings.IMAP_PORT)
    with pytest.raises(imaplib.IMAP4.error):
        client.login("prof.demo", PASSWORD)
    smtp = smtplib.SMTP(settings.GATEWAY_HOST, settings.GATEWAY_SUBMISSION_PORT)
    with pytest.raises(smtplib.SMTPAuthenticationError):
        smtp.login("prof.demo", PASSWORD)
    smtp.close()
