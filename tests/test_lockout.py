"""Brute force on the sign-in form: growing delays, then a lock; never a hint that an account
exists."""

import time
from datetime import UTC, datetime

import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client
from django.urls import reverse

from accounts.models import AccountEvent, User
from directory.models import Etablissement
from tests.conftest import PASSWORD, make_person, phone_of

LOGIN_URL = reverse("account_login")


def sign_in(client, login, password, ip="192.0.2.10"):
    return client.post(LOGIN_URL, {"login": login, "password": password}, REMOTE_ADDR=ip)


def form_errors(response):
    return response.context["form"].non_field_errors() if response.context else None


@pytest.mark.django_db
def test_delay_after_repeated_failures_is_the_same_for_unknown_logins(client, settings):
    settings.LOGIN_DELAY_AFTER_FAILURES = 3
    make_person("prof.demo")
    for login in ("prof.demo", "personne.inconnue"):
        for _ in range(3):
            assert "incorrect" in str(form_errors(sign_in(client, login, "pas-le-bon")))
    known = sign_in(client, "prof.demo", PASSWORD)  # even the right password waits
    unknown = sign_in(client, "personne.inconnue", PASSWORD)
    assert "_auth_user_id" not in client.session
    assert form_errors(known) == form_errors(unknown)
    assert "Trop de tentatives. Patientez 1 min" in str(form_errors(known))
    # The form stays, answered as a rate limit would be.
    assert known.status_code == unknown.status_code == 429
    assert 0 < int(known["Retry-After"]) <= 30
    failed = AccountEvent.objects.filter(kind=AccountEvent.Kind.LOGIN_FAILED)
    assert failed.filter(user__username="prof.demo").count() == 3
    assert failed.filter(user=None, login="personne.inconnue").count() == 3


@pytest.mark.django_db
def test_the_email_address_and_the_login_share_one_counter(client, settings):
    settings.LOGIN_DELAY_AFTER_FAILURES = 2
    make_person("prof.demo")
    sign_in(client, "prof.demo", "pas-le-bon")
    sign_in(client, "PROF.DEMO@ac-demo.test", "pas-le-bon")
    assert "Trop de tentatives" in str(form_errors(sign_in(client, "prof.demo", PASSWORD)))


@pytest.mark.django_db
def test_brute_force_locks_the_account_until_support_or_recovery(client, settings, time_machine):
    settings.LOGIN_DELAY_AFTER_FAILURES = 2
    settings.LOGIN_LOCK_AFTER_FAILURES = 4
    time_machine.move_to(datetime.now(UTC), tick=True)
    prof = make_person("prof.demo")
    for _ in range(4):
        time_machine.shift(settings.LOGIN_MAX_DELAY_SECONDS)  # waits, as a patient attacker would
        response = sign_in(client, "prof.demo", "pas-le-bon")
        assert "incorrect" in str(form_errors(response))
    prof.refresh_from_db()
    assert prof.status == User.Status.LOCKED
    assert AccountEvent.objects.filter(user=prof, kind=AccountEvent.Kind.LOCKED).count() == 1
    assert prof.notices.get().title == "Votre compte a été verrouillé"

    # To someone without the password, a locked account looks like any other.
    time_machine.shift(settings.LOGIN_MAX_DELAY_SECONDS)
    assert "incorrect" in str(form_errors(sign_in(client, "prof.demo", "encore-faux")))
    # Its owner, with the right password, learns it is locked and what to do.
    time_machine.shift(settings.LOGIN_MAX_DELAY_SECONDS)
    response = client.post(
        LOGIN_URL, {"login": "prof.demo", "password": PASSWORD}, follow=True,
        REMOTE_ADDR="192.0.2.10",
    )
    assert "_auth_user_id" not in client.session
    assert "verrouillé" in response.text


@pytest.mark.django_db
def test_one_ip_trying_many_logins_is_slowed_down(client, settings):
    settings.LOGIN_IP_DELAY_AFTER_FAILURES = 3
    make_person("prof.demo")
    for n in range(3):
        sign_in(client, f"inconnu{n}.demo", "pas-le-bon", ip="198.51.100.7")
    slowed = sign_in(client, "prof.demo", PASSWORD, ip="198.51.100.7")
    assert "Trop de tentatives" in str(form_errors(slowed))
    # Someone else, elsewhere, is not affected.
    assert sign_in(client, "prof.demo", PASSWORD, ip="203.0.113.9").status_code == 302


@pytest.mark.django_db
def test_a_successful_sign_in_starts_the_count_again(client, settings):
    settings.LOGIN_DELAY_AFTER_FAILURES = 3
    make_person("prof.demo")
    sign_in(client, "prof.demo", "pas-le-bon")
    sign_in(client, "prof.demo", "pas-le-bon")
    assert sign_in(client, "prof.demo", PASSWORD).status_code == 302
    client.logout()
    sign_in(client, "prof.demo", "pas-le-bon")
    sign_in(client, "prof.demo", "pas-le-bon")
    assert sign_in(client, "prof.demo", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_a_school_behind_one_address_signs_in_200_people_in_two_minutes(settings, time_machine):
    """A lycée's NAT: successful sign-ins are never limited per IP; only failures count."""
    # The clock moves half a second a sign-in: 200 in 100 s however slow the machine is.
    time_machine.move_to("2026-11-16 07:50:00+00:00", tick=False)
    # The real Argon2 hasher is not what is tested here: a cheap one makes 200 accounts fast.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    etablissement = Etablissement.objects.create(uai="0319999Z", name="Lycée Test", kind="lycee")
    password = make_password(PASSWORD)
    User.objects.bulk_create(
        User(username=f"eleve.prof{n}", email=f"eleve.prof{n}@{settings.MAIL_DOMAIN}",
             password=password, etablissement=etablissement)
        for n in range(200)
    )
    client = Client()
    for n in range(200):
        client.cookies.clear()  # each sign-in from its own browser
        time_machine.shift(0.5)
        answer = sign_in(client, f"eleve.prof{n}", PASSWORD, ip="203.0.113.7")
        assert answer.status_code == 302, (n, answer.status_code)
        assert answer.wsgi_request.user.username == f"eleve.prof{n}"  # signed in as that one
    # Failures from that address still follow the lockout's own rules.
    settings.LOGIN_DELAY_AFTER_FAILURES = 2
    client.cookies.clear()
    for _ in range(2):
        sign_in(client, "eleve.prof0", "pas-le-bon", ip="203.0.113.7")
    refused = sign_in(client, "eleve.prof0", PASSWORD, ip="203.0.113.7")
    assert "Trop de tentatives" in str(form_errors(refused))


@pytest.mark.django_db
def test_counters_are_forgotten_once_their_window_is_over(client, settings, time_machine):
    """«Données personnelles» says the counters (with the address or the login typed) are
    kept LOGIN_FAILURE_WINDOW_SECONDS: an hourly job deletes them after that."""
    from accounts.models import LoginThrottle
    from accounts.tasks import forget_expired_login_counters

    assert settings.CELERY_BEAT_SCHEDULE["forget-expired-login-counters"] == {
        "task": "accounts.tasks.forget_expired_login_counters", "schedule": 3600.0,
    }
    time_machine.move_to("2026-11-16 08:00:00+00:00", tick=False)
    sign_in(client, "personne.inconnue", "pas-le-bon", ip="192.0.2.77")
    assert LoginThrottle.objects.count() == 2  # the login typed, and the address
    time_machine.move_to("2026-11-17 07:59:00+00:00", tick=False)
    assert forget_expired_login_counters() == 0
    time_machine.move_to("2026-11-17 08:00:01+00:00", tick=False)
    sign_in(client, "autre.inconnue", "pas-le-bon", ip="192.0.2.78")
    assert forget_expired_login_counters() == 2
    assert LoginThrottle.objects.count() == 2  # the new failure's counters remain


def wrong_code(phone) -> str:
    """A code the phone shows at no moment the server accepts (allauth allows one step off)."""
    now = time.time()
    valid = {phone.at(now + 30 * step) for step in (-2, -1, 0, 1, 2)}
    return next(code for code in (f"{n:06d}" for n in range(1000000)) if code not in valid)


@pytest.mark.django_db
def test_wrong_second_factor_codes_count_like_wrong_passwords(client, settings, time_machine):
    """Knowing the password does not buy unlimited guesses at the phone's code: wrong codes
    bring the same delays, then the same lock, as wrong passwords."""
    settings.LOGIN_DELAY_AFTER_FAILURES = 2
    settings.LOGIN_LOCK_AFTER_FAILURES = 3
    settings.LOGIN_FIRST_DELAY_SECONDS = settings.LOGIN_MAX_DELAY_SECONDS = 60
    time_machine.move_to(datetime.now(UTC), tick=True)
    prof = make_person("prof.demo")
    phone = phone_of(prof)
    code_url = reverse("mfa_authenticate")
    assert sign_in(client, "prof.demo", PASSWORD).url == code_url
    for _ in range(2):
        wrong = client.post(code_url, {"code": wrong_code(phone)}, REMOTE_ADDR="192.0.2.10")
        assert wrong.status_code == 200 and "_auth_user_id" not in client.session
    # Even the right code waits now, answered as a rate limit would be.
    waiting = client.post(code_url, {"code": phone.now()}, REMOTE_ADDR="192.0.2.10")
    assert waiting.status_code == 429 and "Trop de tentatives" in waiting.text
    assert "_auth_user_id" not in client.session
    failed = AccountEvent.objects.filter(user=prof, kind=AccountEvent.Kind.LOGIN_FAILED)
    assert [event.details.get("step") for event in failed] == ["code_failed"] * 2

    time_machine.shift(61)
    client.post(code_url, {"code": wrong_code(phone)}, REMOTE_ADDR="192.0.2.10")
    prof.refresh_from_db()
    assert prof.status == User.Status.LOCKED
    time_machine.shift(61)
    client.post(code_url, {"code": phone.now()}, REMOTE_ADDR="192.0.2.10")
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_wrong_codes_to_confirm_it_is_you_count_too(client, settings):
    """A session left open is no way round: «Confirmez que c'est bien vous» by code counts
    its wrong codes in the same lockout."""
    settings.LOGIN_DELAY_AFTER_FAILURES = 2
    prof = make_person("prof.demo")
    phone = phone_of(prof)
    client.force_login(prof)
    url = reverse("mfa_reauthenticate")
    for _ in range(2):
        assert client.post(url, {"code": wrong_code(phone)}).status_code == 200
    waiting = client.post(url, {"code": phone.now()})
    assert waiting.status_code == 429 and "Trop de tentatives" in waiting.text
