"""Self-service recovery: the code goes to the personal address registered in advance (through
the gateway, captured in development), never to the lost mailbox; wrong answers and codes
count toward the lockout and never say which field was wrong."""

import re
from datetime import date, timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import recovery
from accounts.models import AccountEvent, OneTimeCode, User
from accounts.numen import numen_hash
from mail.models import SpooledMessage
from mail.pipeline.spool import read_spooled
from tests.conftest import PASSWORD, inbox_subjects, wait_for

NUMEN = "12E3456789ABC"
BIRTH = date(1981, 4, 23)
PERSONAL = "camille.martin@laposte.example"
NEW_PASSWORD = "Retrouve-Mon-Compte-2026"
CHANGED = "Votre mot de passe a été changé par la récupération du compte"


def with_identity(user, recovery_email=PERSONAL):
    user.numen_hash = numen_hash(NUMEN)
    user.birth_date = BIRTH
    user.recovery_email = recovery_email
    user.save()
    return user


def answers(login="prof.demo", numen=NUMEN, birth=BIRTH):
    return {"login": login, "numen": numen, "birth_date": birth.isoformat()}


def captured_mail_to(address: str) -> EmailMessage:
    """The newest message captured for an external address (development spool)."""

    def find():
        messages = SpooledMessage.objects.filter(status=SpooledMessage.Status.CAPTURED)
        found = [m for m in messages if address in m.recipients]
        return found[0] if found else None

    message = wait_for(find)
    return message_from_bytes(read_spooled(message), policy=default)


def code_in(mail: EmailMessage) -> str:
    return re.search(r"\b(\d{4} \d{4})\b", mail.get_content()).group(1)


@pytest.mark.e2e
@pytest.mark.usefixtures("mail_stack")
def test_registering_a_recovery_address_needs_the_code_sent_to_it(client, prof):
    client.force_login(prof)
    url = reverse("accounts:recovery_address")
    academic = client.post(url, {"step": "send", "address": "autre@ac-demo.test"})
    assert "pas une adresse de l&#x27;académie" in academic.text

    client.post(url, {"step": "send", "address": PERSONAL})
    page = client.get(url).text
    assert "Nous avons envoyé un code de 8 chiffres" in page
    mail = captured_mail_to(PERSONAL)
    assert mail["From"] == "Convergence <ne-pas-repondre@ac-demo.test>"
    assert mail["Subject"] == "Vérifiez votre adresse de secours pour Convergence"
    assert "« prof.demo »" in mail.get_content()
    prof.refresh_from_db()
    assert prof.recovery_email == ""  # not before the code comes back

    wrong = client.post(url, {"step": "check", "code": "0000 0000"})
    assert "Ce code est faux" in wrong.text
    client.post(url, {"step": "check", "code": code_in(mail)})
    prof.refresh_from_db()
    assert prof.recovery_email == PERSONAL
    assert "Enregistrée" in client.get(reverse("accounts:account")).text


@pytest.mark.e2e
@pytest.mark.usefixtures("mail_stack")
def test_locked_teacher_recovers_alone_and_every_other_session_ends(client, prof):
    with_identity(prof)
    elsewhere = Client()
    elsewhere.post(reverse("account_login"), {"login": "prof.demo", "password": PASSWORD})
    assert elsewhere.get(reverse("accounts:account")).status_code == 200
    User.objects.filter(pk=prof.pk).update(status=User.Status.LOCKED)

    response = client.post(reverse("accounts:recovery"), answers(login="Prof.Demo"))
    assert response.status_code == 302 and response.url == reverse("accounts:recovery_code")
    mail = captured_mail_to(PERSONAL)
    assert mail["Subject"] == "Votre code de récupération Convergence"
    assert "Il ne sert qu'une fois, pendant 15 minutes" in mail.get_content()
    # The academic mailbox got nothing: the code went to the personal address only.
    assert not any(prof.email in m.recipients for m in SpooledMessage.objects.all())

    response = client.post(reverse("accounts:recovery_code"), {"code": code_in(mail)})
    assert response.url == reverse("accounts:recovery_password")
    response = client.post(reverse("accounts:recovery_password"),
                           {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.url == reverse("account_login")

    prof.refresh_from_db()
    assert prof.status == User.Status.ACTIVE and prof.check_password(NEW_PASSWORD)
    assert elsewhere.get(reverse("accounts:account")).status_code == 302  # signed out
    assert client.post(reverse("account_login"),
                       {"login": "prof.demo", "password": NEW_PASSWORD}).status_code == 302
    steps = list(AccountEvent.objects.filter(user=prof, kind=AccountEvent.Kind.RECOVERY)
                 .values_list("details__step", flat=True))  # fmt: skip
    assert steps == ["completed", "code_sent"]
    assert prof.notices.filter(title=CHANGED).exists()
    wait_for(lambda: CHANGED in inbox_subjects("prof.demo"))  # told in the mailbox too


@pytest.mark.django_db
def test_wrong_answers_never_say_which_field_and_count_toward_the_lockout(client, settings):
    settings.LOGIN_DELAY_AFTER_FAILURES = 3
    from tests.conftest import make_person

    prof = with_identity(make_person("prof.demo"))
    wrong = [
        answers(numen="12E3456789ABD"),
        answers(birth=BIRTH + timedelta(days=1)),
        answers(login="personne.inconnue"),
    ]
    errors = []
    for data in wrong:
        response = client.post(reverse("accounts:recovery"), data)
        assert response.status_code == 200
        errors.append(response.context["form"].non_field_errors())
    assert errors[0] == errors[1] == errors[2]
    assert "ne permettent pas de reconnaître un compte" in str(errors[0])
    assert not OneTimeCode.objects.exists()

    client.post(reverse("accounts:recovery"), answers(numen="00000000000"))  # 3rd for prof
    waiting = client.post(reverse("accounts:recovery"), answers())  # right, but must wait
    assert "Trop de tentatives" in str(waiting.context["form"].non_field_errors())
    assert waiting.status_code == 429 and int(waiting["Retry-After"]) > 0
    assert not OneTimeCode.objects.exists()
    failures = AccountEvent.objects.filter(user=prof, kind=AccountEvent.Kind.RECOVERY,
                                           details__step="identity_failed")  # fmt: skip
    assert failures.count() == 3


@pytest.mark.django_db
def test_brute_forcing_the_answers_locks_the_account(client, settings):
    settings.LOGIN_DELAY_AFTER_FAILURES = 100
    settings.LOGIN_LOCK_AFTER_FAILURES = 3
    from tests.conftest import make_person

    prof = with_identity(make_person("prof.demo"))
    for numen in ("1", "2", "3"):
        client.post(reverse("accounts:recovery"), answers(numen=numen))
    prof.refresh_from_db()
    assert prof.status == User.Status.LOCKED


@pytest.mark.django_db
def test_without_a_recovery_address_the_page_says_what_to_bring(client):
    from tests.conftest import make_person

    with_identity(make_person("prof.demo"), recovery_email="")
    page = client.post(reverse("accounts:recovery"), answers())
    assert page.status_code == 200
    for words in ("carte professionnelle", "NUMEN", "justificatif d'affectation"):
        assert words in page.text
    assert not OneTimeCode.objects.exists()


@pytest.mark.django_db
def test_a_code_works_once_and_not_after_15_minutes(rf, settings):
    from tests.conftest import make_person

    prof = with_identity(make_person("prof.demo"))
    request = rf.post("/", REMOTE_ADDR="192.0.2.20")
    outcome = recovery.start(login="prof.demo", numen=NUMEN, birth_date=BIRTH, request=request)
    row = OneTimeCode.objects.get(pk=outcome.code_id)
    code = "12345678"
    from accounts import codes

    row.code_hash = codes._hash(code)  # the mailed code is only in the spool in this test
    row.save()
    assert recovery.check_code(code_id=row.pk, typed="1234 5678", request=request).user == prof
    reused = recovery.check_code(code_id=row.pk, typed=code, request=request)
    assert reused.kind == "mismatch"

    outcome = recovery.start(login="prof.demo", numen=NUMEN, birth_date=BIRTH, request=request)
    OneTimeCode.objects.filter(pk=outcome.code_id).update(
        code_hash=codes._hash(code), expires_at=timezone.now() - timedelta(seconds=1)
    )
    expired = recovery.check_code(code_id=outcome.code_id, typed=code, request=request)
    assert expired.kind == "mismatch"
    assert AccountEvent.objects.filter(user=prof, details__step="code_failed").count() == 2


@pytest.mark.django_db
def test_the_code_and_password_pages_need_the_steps_before(client):
    assert client.get(reverse("accounts:recovery_code")).url == reverse("accounts:recovery")
    assert client.get(reverse("accounts:recovery_password")).url == reverse("accounts:recovery")
    # allauth's reset by mail would write to the lost mailbox: it leads here instead.
    old = client.get("/comptes/password/reset/")
    assert old.status_code == 302 and old.url == reverse("accounts:recovery")


@pytest.mark.django_db
def test_demo_accounts_can_try_recovery(rf, client):
    from demo import academie as demo

    demo.seed_directory()
    answers_of_prof = {"login": "prof.demo", "numen": demo.DEMO_NUMENS["prof.demo"],
                       "birth_date": "14/03/1984"}  # fmt: skip
    response = client.post(reverse("accounts:recovery"), answers_of_prof)
    assert response.status_code == 302 and response.url == reverse("accounts:recovery_code")
    assert OneTimeCode.objects.get().sent_to == "prof.demo@perso.example"
