"""seed_demo without servers: the demo académie's people and mailboxes, and the command."""

import io
from email import policy
from email.parser import BytesParser

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import User, login_validator
from accounts.numen import numen_hash
from demo import academie as demo
from demo.mail_corpus import (
    envelope_sender,
    load_corpus,
    spooled_indices,
)
from demo.management.commands.seed_demo import parse_gateway
from devstack.loopback import free_port
from directory import lists
from directory.models import Etablissement, uai_validator
from mail.models import Mailbox, MailboxMember, SpooledMessage
from mail.transport import smtp

PARSER = BytesParser(policy=policy.default)
VIE_SCOLAIRE = "vie-scolaire.0311234y@ac-demo.test"


@pytest.fixture
def fast_hashing(settings):
    # Argon2 costs ~0.1 s a password; the Dovecot-compatible hash has its own test below.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]



# --- the académie's data ----------------------------------------------------------------------


def test_logins_are_lower_case_ascii_prenom_nom():
    assert demo.make_login("Hélène", "Dupré") == "helene.dupre"
    assert demo.make_login("Jean-Baptiste", "Carrère") == "jean-baptiste.carrere"
    assert demo.make_login("Anne", "N'Diaye") == "anne.ndiaye"
    assert demo.make_login("Famille", "Da Silva") == "famille.da-silva"


def test_people_and_etablissements_are_plausible():
    logins = [p.login for p in demo.PEOPLE]
    assert 28 <= len(logins) <= 32
    assert len(set(logins)) == len(logins)
    assert set(demo.DEMO_LOGINS) <= set(logins)
    for login in logins:
        login_validator(login)
        assert login.isascii() and login == login.lower()
    assert {p.category for p in demo.PEOPLE} == set(User.Category.values)
    uais = [e.uai for e in demo.ETABLISSEMENTS]
    assert uais == ["0311234Y", "0315678D", "0319012C"]
    for uai in uais:
        uai_validator(uai)
    assert {p.uai for p in demo.PEOPLE} == set(uais)
    assert demo.person("prof.demo").category == User.Category.TEACHER_SECONDARY
    assert demo.person("secretariat.demo").category == User.Category.ADMIN_STAFF
    assert demo.person("support.demo").category == User.Category.IT_SUPPORT


def test_background_passwords_are_strong_distinct_and_not_derivable_from_the_login(settings):
    first = demo.background_password("thomas.moreau")
    assert first == demo.background_password("thomas.moreau")
    assert first != demo.background_password("elodie.fabre")
    assert len(first) >= 20 and first != demo.DEMO_PASSWORD
    settings.SECRET_KEY = "another installation"
    assert demo.background_password("thomas.moreau") != first


# --- seeding the directory --------------------------------------------------------------------


@pytest.mark.django_db
def test_seed_creates_etablissements_people_and_mailboxes(fast_hashing):
    summary = demo.seed_directory()
    assert len(summary.created_users) == len(demo.ACADEMIE_PEOPLE)
    assert Etablissement.objects.filter(uai__in=["0311234Y", "0315678D", "0319012C"]).count() == 3
    assert User.objects.count() == len(demo.ACADEMIE_PEOPLE)
    for data in demo.PEOPLE:
        user = User.objects.get(username=data.login)
        assert user.email == f"{data.login}@{settings.MAIL_DOMAIN}"
        assert user.etablissement.uai == data.uai
        assert user.category == data.category
        assert user.can_log_in and user.has_usable_password()
        box = user.personal_mailbox
        assert (box.kind, box.imap_user, box.address) == ("personal", data.login, user.email)
        assert box.display_name == data.full_name
    prof = User.objects.get(username="prof.demo")
    assert prof.check_password(demo.DEMO_PASSWORD)
    assert prof.numen_hash == numen_hash(demo.DEMO_NUMENS["prof.demo"])
    other = User.objects.get(username="thomas.moreau")
    assert other.check_password(demo.background_password("thomas.moreau"))
    assert not other.check_password(demo.DEMO_PASSWORD) and not other.numen_hash


@pytest.mark.django_db
def test_vie_scolaire_is_a_functional_box_the_secretary_manages(fast_hashing):
    demo.seed_directory()
    box = Mailbox.objects.get(address=VIE_SCOLAIRE)
    assert box.kind == Mailbox.Kind.FUNCTIONAL and box.owner is None
    assert box.imap_user == "vie-scolaire.0311234y" and box.etablissement.uai == "0311234Y"
    member = MailboxMember.objects.get(mailbox=box)
    assert member.user.username == "secretariat.demo"
    assert member.can_read and member.can_manage and member.can_send_as


@pytest.mark.django_db
def test_the_lycee_teachers_list_reaches_its_teachers_only(fast_hashing):
    demo.seed_directory()
    dlist = lists.find("enseignants.0311234y@" + settings.MAIL_DOMAIN)
    reached = lists.member_mailboxes(dlist)
    teachers = User.objects.filter(
        category=User.Category.TEACHER_SECONDARY, etablissement__uai="0311234Y"
    )
    assert {m.address for m in reached} == {user.email for user in teachers} and len(reached) >= 3


@pytest.mark.django_db
def test_it_support_reads_the_security_box_phishing_reports_go_to(fast_hashing):
    demo.seed_directory()
    box = Mailbox.objects.get(address=settings.SECURITY_REPORT_ADDRESS)
    assert box.kind == Mailbox.Kind.FUNCTIONAL and box.imap_user == "securite"
    member = MailboxMember.objects.get(mailbox=box)
    assert member.user.username == "support.demo" and member.can_manage


@pytest.mark.django_db
def test_demo_passwords_are_argon2id_with_parallelism_one_for_dovecot():
    summary = demo.reset_demo_accounts()
    assert summary.created_users == list(demo.DEMO_LOGINS)
    for login in demo.DEMO_LOGINS:
        hashed = User.objects.get(username=login).password
        assert hashed.startswith("argon2$argon2id$") and ",p=1$" in hashed


@pytest.mark.django_db
def test_second_run_restores_demo_logins_and_leaves_everything_else_alone(fast_hashing):
    demo.seed_directory()
    prof = User.objects.get(username="prof.demo")
    prof.set_password("changed-by-a-visitor-42")
    prof.status, prof.is_active, prof.numen_hash = User.Status.LOCKED, False, ""
    prof.save()
    MailboxMember.objects.update(can_manage=False, can_send_as=False)
    colleague = User.objects.get(username="thomas.moreau")
    colleague.first_name = "Tom"
    colleague.set_password("his-own-password-2026")
    colleague.status = User.Status.SUSPENDED
    colleague.save()
    Mailbox.objects.get(imap_user="elodie.fabre").delete()
    stranger = User.objects.create_user("visiteur.test", "visiteur.test@ac-demo.test", "x" * 16)

    summary = demo.seed_directory()

    assert summary.created_users == [] and summary.reset_users == list(demo.DEMO_LOGINS)
    assert summary.created_mailboxes == ["elodie.fabre"]
    prof.refresh_from_db()
    assert prof.check_password(demo.DEMO_PASSWORD) and prof.can_log_in
    assert prof.numen_hash == numen_hash(demo.DEMO_NUMENS["prof.demo"])
    assert MailboxMember.objects.get(user__username="secretariat.demo").can_send_as
    colleague.refresh_from_db()
    assert colleague.first_name == "Tom" and colleague.status == User.Status.SUSPENDED
    assert colleague.check_password("his-own-password-2026")
    assert User.objects.filter(pk=stranger.pk).exists()
    assert User.objects.count() == len(demo.ACADEMIE_PEOPLE) + 1
    assert Mailbox.objects.count() == len(demo.ACADEMIE_PEOPLE) + 2  # vie scolaire, sécurité


# --- the command, with the gateway replaced by a recorder --------------------------------------


class _RecordingGateway:
    """Stands in for smtp.GatewayClient: records like the real gateway, in its spool index."""

    sent: list[str] = []

    def __init__(self, host: str, port: int) -> None:
        self.where = (host, port)

    def send(self, raw: bytes, *, mail_from: str, recipients: list[str]) -> None:
        SpooledMessage.objects.create(mail_from=mail_from, recipients=recipients, size=len(raw))
        self.sent.append(mail_from)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        return None


@pytest.fixture
def recording_gateway(monkeypatch):
    monkeypatch.setattr(smtp, "GatewayClient", _RecordingGateway)
    _RecordingGateway.sent = []
    return _RecordingGateway


@pytest.mark.django_db
def test_spooled_indices_reads_only_corpus_envelopes():
    for mail_from in (envelope_sender(3), envelope_sender(7), "famille.durand@example.org",
                      "demo-corpus+12@elsewhere.test"):  # fmt: skip
        SpooledMessage.objects.create(mail_from=mail_from, recipients=[], size=1)
    assert spooled_indices() == {3, 7}


@pytest.mark.django_db
def test_command_sends_the_corpus_once_and_only_what_is_missing(fast_hashing, recording_gateway):
    out = io.StringIO()
    call_command("seed_demo", "--gateway", "127.0.0.1:2525", stdout=out)
    total = len(recording_gateway.sent)
    assert total == len(load_corpus())
    recording_gateway.sent = []
    call_command("seed_demo", stdout=io.StringIO())
    assert recording_gateway.sent == []
    SpooledMessage.objects.filter(mail_from__in=[envelope_sender(5), envelope_sender(9)]).delete()
    call_command("seed_demo", stdout=io.StringIO())
    assert recording_gateway.sent == [envelope_sender(5), envelope_sender(9)]
    assert SpooledMessage.objects.count() == total


@pytest.mark.django_db
def test_command_prints_the_logins_and_url(fast_hashing):
    out = io.StringIO()
    call_command("seed_demo", "--no-mail", stdout=out)
    text = out.getvalue()
    for expected in (*demo.DEMO_LOGINS, "Demo-Convergence-2026", "http://127.0.0.1:8000"):
        assert expected in text
    assert not SpooledMessage.objects.exists()


@pytest.mark.django_db
def test_command_explains_a_gateway_that_is_not_running(fast_hashing):
    out = io.StringIO()
    with pytest.raises(CommandError, match="rungateway") as failure:
        call_command("seed_demo", "--gateway", f"127.0.0.1:{free_port()}", stdout=out)
    assert "ne répond pas" in str(failure.value) and "not answering" in str(failure.value)
    assert "prof.demo" in out.getvalue()  # the accounts are there all the same
    assert User.objects.filter(username="prof.demo").exists()


def test_gateway_option_is_host_colon_port():
    assert parse_gateway("127.0.0.1:2525") == ("127.0.0.1", 2525)
    assert parse_gateway("[::1]:25") == ("::1", 25)
    for wrong in ("localhost", "host:port", ":25"):
        with pytest.raises(CommandError):
            parse_gateway(wrong)


def test_send_to_gateway_reports_an_unreachable_gateway():
    with pytest.raises(smtp.GatewayUnavailable):
        smtp.send_to_gateway(b"Subject: x\r\n\r\nx\r\n", mail_from="a@example.org",
                             recipients=["prof.demo@ac-demo.test"], host="127.0.0.1",
                             port=free_port())  # fmt: skip
