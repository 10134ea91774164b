"""The IT-support console: only support gets in, every action needs a reason, is audited and
told to the account's owner; support never reaches anyone's mail."""

import csv
import io

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from accounts.models import AccountEvent, User
from accounts.numen import numen_hash
from mail.models import Mailbox
from tests.conftest import PASSWORD, make_person

ACTIONS = ["unlock", "temporary_password", "reset_2fa", "reactivate", "suspend", "end_sessions"]


# Inside one rolled-back transaction: the mail that actions queue after commit never leaves,
# so it cannot reach a later test's worker (the browser test checks that mail).
@pytest.fixture
def prof(db):
    return make_person("prof.demo", first_name="Camille", last_name="Martin")


@pytest.fixture
def colleague(db):
    return make_person("collegue.demo", first_name="Louis", last_name="Bernard")


@pytest.fixture
def agent(db):
    return make_person("support.demo", category=User.Category.IT_SUPPORT,
                       first_name="Sam", last_name="Support")  # fmt: skip


def act(client, user, action, reason="Appel du 12/03, identité vérifiée (carte pro)."):
    return client.post(reverse("support:act", args=[user.pk, action]), {"reason": reason})


def table_of(response) -> str:
    return response.text.split("<tbody>")[1].split("</tbody>")[0]


def test_non_support_user_gets_403_on_every_page_and_action(client, prof, colleague):
    client.force_login(prof)
    for url in (reverse("support:search"), reverse("support:journal"),
                reverse("support:journal_csv"), reverse("support:account", args=[colleague.pk])):
        assert client.get(url).status_code == 403
    colleague.status = User.Status.LOCKED
    colleague.save()
    for action in ACTIONS:
        assert act(client, colleague, action).status_code == 403
    colleague.refresh_from_db()
    assert colleague.status == User.Status.LOCKED
    assert not AccountEvent.objects.filter(kind=AccountEvent.Kind.SUPPORT_ACTION).exists()


def test_console_needs_a_signed_in_person(client, prof):
    response = client.get(reverse("support:search"))
    assert response.status_code == 302 and "/comptes/login/" in response["Location"]
    assert act(client, prof, "suspend").status_code == 302
    prof.refresh_from_db()
    assert prof.status == User.Status.ACTIVE


def test_search_by_name_login_email_etablissement_and_numen(client, agent, prof, colleague):
    prof.numen_hash = numen_hash("12E3456789ABC")
    prof.recovery_email = "camille.martin@laposte.example"
    prof.save()
    Authenticator.objects.create(user=prof, type=Authenticator.Type.TOTP, data={})
    client.force_login(agent)
    for query in ("Martin", "prof.demo", "prof.demo@ac-demo.test", "12 e3456789abc"):
        page = client.get(reverse("support:search"), {"q": query}).text
        assert "Camille Martin" in page and "Louis Bernard" not in page, query
    page = client.get(reverse("support:search"), {"q": "0311234Y"}).text
    assert "Camille Martin" in page and "Louis Bernard" in page
    row = page.split("Camille Martin")[1].split("</tr>")[0]
    assert "Actif" in row and "activée" in row and "renseignée" in row
    assert "12E3456789ABC" not in page


def test_unlock_with_reason_is_audited_and_told_to_the_owner(client, agent, prof):
    prof.status = User.Status.LOCKED
    prof.save()
    client.force_login(agent)
    assert "Déverrouiller" in client.get(reverse("support:account", args=[prof.pk])).text

    response = act(client, prof, "unlock", reason="   ")
    assert response.status_code == 302
    prof.refresh_from_db()
    assert prof.status == User.Status.LOCKED  # no reason, no action

    act(client, prof, "unlock")
    prof.refresh_from_db()
    assert prof.status == User.Status.ACTIVE
    event = AccountEvent.objects.get(kind=AccountEvent.Kind.SUPPORT_ACTION)
    assert (event.user, event.actor, event.details["action"]) == (prof, agent, "unlock")
    assert event.reason.startswith("Appel du 12/03")
    notice = prof.notices.get()
    assert notice.title == "Support informatique : votre compte a été déverrouillé"
    assert "Le " in notice.body

    client.force_login(prof)
    history = client.get(reverse("accounts:history")).text
    assert "Action du support informatique" in history and "Appel du 12/03" in history
    client.logout()
    signed_in = client.post(reverse("account_login"), {"login": "prof.demo", "password": PASSWORD})
    assert signed_in.status_code == 302


def test_temporary_password_is_shown_once_and_must_be_changed(client, agent, prof):
    client.force_login(agent)
    response = act(client, prof, "temporary_password")
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    temporary = response.context["password"]
    assert temporary in response.text and len(temporary) == 14
    assert temporary not in client.get(reverse("support:account", args=[prof.pk])).text
    assert temporary not in str(AccountEvent.objects.values_list("details", "reason"))

    client.logout()
    client.post(reverse("account_login"), {"login": "prof.demo", "password": temporary})
    page = client.get(reverse("mail:home"))
    assert page.status_code == 302 and page.url == reverse("accounts:must_change_password")
    form = client.get(page.url)
    assert "Choisissez votre propre mot de passe" in form.text
    refused = client.post(page.url, {"new_password1": temporary, "new_password2": temporary})
    assert "différent du mot de passe provisoire" in refused.text
    new = "Nouveau-Mot-De-Passe-2026"
    done = client.post(page.url, {"new_password1": new, "new_password2": new})
    assert done.status_code == 302 and done.url == reverse("mail:home")
    prof.refresh_from_db()
    assert not prof.must_change_password and prof.check_password(new)
    assert client.get(reverse("accounts:account")).status_code == 200


def test_reset_2fa_deletes_the_authenticators(client, agent, prof):
    Authenticator.objects.create(user=prof, type=Authenticator.Type.TOTP, data={})
    Authenticator.objects.create(user=prof, type=Authenticator.Type.RECOVERY_CODES, data={})
    client.force_login(agent)
    act(client, prof, "reset_2fa")
    assert not Authenticator.objects.filter(user=prof).exists()
    # Again: nothing to reset, refused with a message, not audited twice.
    page = client.get(reverse("support:account", args=[prof.pk]))
    assert reverse("support:act", args=[prof.pk, "reset_2fa"]) not in page.text
    act(client, prof, "reset_2fa")
    assert AccountEvent.objects.filter(kind=AccountEvent.Kind.SUPPORT_ACTION).count() == 1


def test_suspend_ends_sessions_and_reactivate_brings_the_account_back(client, agent, prof):
    from django.test import Client

    teacher = Client()
    teacher.post(reverse("account_login"), {"login": "prof.demo", "password": PASSWORD})
    assert teacher.get(reverse("accounts:account")).status_code == 200

    client.force_login(agent)
    act(client, prof, "suspend")
    prof.refresh_from_db()
    assert prof.status == User.Status.SUSPENDED
    assert teacher.get(reverse("accounts:account")).status_code == 302  # signed out

    act(client, prof, "reactivate")
    prof.refresh_from_db()
    assert prof.status == User.Status.ACTIVE and prof.inactivity.reactivated_at
    assert teacher.post(reverse("account_login"),
                        {"login": "prof.demo", "password": PASSWORD}).status_code == 302
    actions = list(AccountEvent.objects.filter(kind=AccountEvent.Kind.SUPPORT_ACTION)
                   .values_list("details__action", flat=True))  # fmt: skip
    assert sorted(actions) == ["reactivate", "suspend"]


def test_end_all_sessions(client, agent, prof):
    from django.test import Client

    phone, laptop = Client(), Client()
    for device in (phone, laptop):
        device.post(reverse("account_login"), {"login": "prof.demo", "password": PASSWORD})
        assert device.get(reverse("accounts:account")).status_code == 200
    client.force_login(agent)
    act(client, prof, "end_sessions")
    for device in (phone, laptop):
        assert device.get(reverse("accounts:account")).status_code == 302
    assert client.get(reverse("support:search")).status_code == 200  # support's own stays


def test_support_cannot_act_on_their_own_account(client, agent):
    client.force_login(agent)
    act(client, agent, "end_sessions")
    assert not AccountEvent.objects.filter(kind=AccountEvent.Kind.SUPPORT_ACTION).exists()


def test_journal_is_searchable_and_exports_csv(client, agent, prof):
    client.post(reverse("account_login"), {"login": "prof.demo", "password": "faux"})
    client.post(reverse("account_login"), {"login": "=cmd|' /C calc'!A0", "password": "faux"})
    prof.status = User.Status.LOCKED
    prof.save()
    client.force_login(agent)
    act(client, prof, "unlock", reason="Demande par téléphone")

    page = table_of(client.get(reverse("support:journal"), {"q": "prof.demo"}))
    assert "Échec de connexion" in page and "Demande par téléphone" in page
    assert "calc" not in page
    only_support = table_of(client.get(reverse("support:journal"), {"kind": "support_action"}))
    assert "Échec de connexion" not in only_support and "Demande par téléphone" in only_support

    export = client.get(reverse("support:journal_csv"), {"q": ""})
    assert export["Content-Type"].startswith("text/csv")
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:3] == ["Date", "Événement", "Compte"]
    assert any(row[1] == "Action du support informatique" and row[4] == "support.demo"
               and row[5] == "Demande par téléphone" for row in rows)  # fmt: skip
    typed = next(row for row in rows if "calc" in row[3])
    assert typed[3].startswith("'=")  # not a formula in a spreadsheet


def test_support_cannot_open_someone_elses_mail(client, agent, prof):
    client.force_login(agent)
    mailbox = Mailbox.objects.get(owner=prof)
    folder = reverse("mail:folder", args=[mailbox.pk, "INBOX"])
    assert client.get(folder).status_code == 404
    console = client.get(reverse("support:account", args=[prof.pk])).text
    assert f"/mail/boite/{mailbox.pk}/" not in console


def test_secure_the_account_after_phishing(client, agent, prof):
    from datetime import timedelta

    from django.test import Client
    from django.utils import timezone

    from accounts import app_passwords
    from mail.models import Forwarding, Rule
    from mail.pipeline import filters

    box = prof.personal_mailbox
    forward = [{"type": "forward", "value": "pirate@example.org"}]
    condition = [{"field": "subject", "op": "contains", "value": "facture"}]
    old_rule = filters.save_rule(box, name="Classement Pronote", match="all",
                                 conditions=condition, actions=[{"type": "mark_read"}])
    filters.save_rule(box, name="Factures", match="all", conditions=condition, actions=forward)
    Forwarding.objects.create(mailbox=box, address="pirate@example.org", keep_copy=False)
    Forwarding.objects.create(mailbox=box, address="moi@perso.example", keep_copy=True)
    long_ago = timezone.now() - timedelta(days=90)
    Rule.objects.filter(pk=old_rule.pk).update(created_at=long_ago)
    Forwarding.objects.filter(address="moi@perso.example").update(created_at=long_ago)
    app_passwords.create_app_password(user=prof, label="Téléphone")
    phone = Client()
    phone.post(reverse("account_login"), {"login": "prof.demo", "password": PASSWORD})
    assert phone.get(reverse("accounts:account")).status_code == 200

    client.force_login(agent)
    page = client.get(reverse("support:account", args=[prof.pk])).text
    assert "pirate@example.org" in page and "moi@perso.example" in page and "Factures" in page
    assert page.count(">récent<") == 2  # the new forwarding and the new rule
    act(client, prof, "secure")

    assert list(box.forwardings.values_list("address", flat=True)) == ["moi@perso.example"]
    assert list(box.rules.values_list("name", flat=True)) == ["Classement Pronote"]
    assert not app_passwords.active(prof).exists()
    assert phone.get(reverse("accounts:account")).status_code == 302
    event = AccountEvent.objects.get(kind=AccountEvent.Kind.SUPPORT_ACTION)
    assert event.details["action"] == "secure" and event.actor == agent
    assert event.details["forwardings_removed"] == ["pirate@example.org"]
    assert event.details["rules_removed"] == ["Factures"]
    assert prof.notices.filter(title__contains="sécurisé").exists()


def test_support_sets_an_absence_message_for_someone_on_leave(client, agent, prof, colleague):
    from datetime import date

    from mail.models import Vacation
    from mail.pipeline.vacation import in_force

    url = reverse("support:absence", args=[prof.pk])
    form = {"starts_on": "2026-01-05", "ends_on": "2026-01-02", "subject": "Absente",
            "body": "Je suis en congé.", "days": 7, "reason": "Demande du chef d'établissement"}
    client.force_login(colleague)
    assert client.post(url, form).status_code == 403
    client.force_login(agent)
    refused = client.post(url, form)  # the end before the start: said, and nothing is lost
    assert "La date de fin est avant la date de début." in refused.text
    assert "Je suis en congé." in refused.text
    assert not Vacation.objects.exists()
    form["ends_on"] = "2026-02-01"
    assert client.post(url, form).status_code == 302
    vacation = Vacation.objects.get(mailbox=prof.personal_mailbox)
    assert vacation.enabled and vacation.updated_by == agent
    assert vacation.body == "Je suis en congé."
    assert (vacation.starts_on, vacation.ends_on) == (date(2026, 1, 5), date(2026, 2, 1))
    assert in_force(vacation, today=date(2026, 1, 10))
    assert not in_force(vacation, today=date(2026, 2, 2))
    event = AccountEvent.objects.get(kind=AccountEvent.Kind.SUPPORT_ACTION)
    assert event.details["action"] == "absence" and event.reason.startswith("Demande")
