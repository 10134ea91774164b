"""No English msgid on a page of the French UI: the main pages are rendered signed in, with
LANGUAGE_CODE=fr, and their text is compared with every msgid of the catalogues (the project's,
each app's, allauth's) whose French differs."""

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from allauth.usersessions.models import UserSession
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from accounts import notices
from accounts.models import User
from devstack.loopback import free_port
from mail.imap import close_all_sessions
from mail.models import Mailbox, MailboxMember, MessageTemplate, Signature
from tests.catalogues import english_fragments, untranslated
from tests.conftest import PASSWORD, build_message, deliver, make_person, uid_of, unique_subject

pytestmark = [pytest.mark.usefixtures("mail_stack")]


@pytest.fixture(scope="module")
def fragments():
    return english_fragments()


def check(client, url, fragments, status=200):
    answer = client.get(url, follow=True)
    assert answer.status_code == status, url
    html = answer.content.decode()
    assert 'lang="fr"' in html, url
    english = untranslated(html, fragments)
    assert not english, f"{url} shows English: {sorted(english)}"
    return html


def test_the_catalogue_check_finds_english(fragments):
    """The check itself: an English msgid is found whole or inside a sentence."""
    assert untranslated("<p>Sign out</p>", fragments) == {"Sign out"}
    assert "Successfully signed in as" in untranslated(
        "<div><p>Successfully signed in as Camille.</p></div>", fragments)
    assert not untranslated("<p>Se déconnecter</p><p>Boîte de réception</p>", fragments)
    # Text marked as English (the language switch) is meant to be, its labels included.
    assert not untranslated('<p lang="en"><a title="Sign out">Sign out</a></p>', fragments)
    assert untranslated('<p><a title="Sign out">Se déconnecter</a></p>', fragments)


def test_main_pages_of_the_webmail_are_all_french(fragments, settings):
    assert settings.LANGUAGE_CODE == "fr"
    prof = make_person("prof.demo", first_name="Camille", last_name="Martin")
    subject = unique_subject("Sortie au musée")
    message = build_message(to=prof.email, subject=subject)
    # Attached, so that the message page and the forward list it with their own words.
    message.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf", filename="a.pdf")
    deliver(prof, message)
    # A browser that asks for English: once signed in, the person's preference (French)
    # decides. Signed in through the form, so allauth's own message is on the first page.
    client = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    client.get(reverse("account_login"))
    answer = client.post(reverse("account_login"),
                         {"login": "prof.demo", "password": PASSWORD}, follow=True)
    html = answer.content.decode()
    assert "Camille" in html and not untranslated(html, fragments), untranslated(html, fragments)
    notices.notify(prof, "Avis de test", "Corps")
    box = prof.personal_mailbox.id
    uid = uid_of(prof, subject)
    for url in (
        reverse("mail:home"),
        reverse("mail:folder", args=[box, "INBOX"]),
        reverse("mail:folder", args=[box, "INBOX"]) + "?vue=conversations",
        reverse("mail:message", args=[box, "INBOX", uid]),
        reverse("mail:compose"),
        *(reverse("mail:compose") + f"?boite={box}&dossier=INBOX&uid={uid}&mode={mode}"
          for mode in ("reponse", "transfert-pj")),
        reverse("mail:outbox"),
        reverse("mail:search", args=[box]) + "?q=musée",
        reverse("mail:folders", args=[box]),
        reverse("mail:rules", args=[box]),
        reverse("mail:absence", args=[box]),
        reverse("mail:forwarding", args=[box]),
        reverse("mail:shared_files"),
        reverse("accounts:preferences"),
        reverse("accounts:account"),
        reverse("accounts:notices"),
        reverse("accounts:sessions"),
        reverse("accounts:app_passwords"),
        reverse("accounts:history"),
        reverse("accounts:mobile_setup"),
        reverse("accounts:recovery_address"),
        reverse("account_change_password"),
        reverse("notifications:preferences"),
        reverse("shared_mailboxes:index"),
        reverse("mfa_index"),
    ):
        check(client, url, fragments)
    forward = reverse("mail:compose") + f"?boite={box}&dossier=INBOX&uid={uid}&mode=transfert"
    assert "a.pdf" in check(client, forward, fragments)  # with its list of attachments
    check(client, "/mail/page-inconnue/", fragments, status=404)
    check(client, reverse("support:search"), fragments, status=403)


def test_pages_before_sign_in_and_the_support_console_are_french(fragments):
    anonymous = Client()
    for url in (reverse("account_login"), reverse("accounts:recovery"), reverse("accessibility"),
                reverse("legal_notice"), reverse("personal_data")):
        check(anonymous, url, fragments)
    support = make_person("support.demo", category=User.Category.IT_SUPPORT)
    target = make_person("prof.demo")
    client = Client()
    client.force_login(support)
    for url in (
        reverse("support:search") + "?q=prof",
        reverse("support:account", args=[target.pk]),
        reverse("support:journal"),
        reverse("mail:dead_letters"),
    ):
        check(client, url, fragments)


def test_the_less_visited_pages_are_french_too(fragments, settings):
    """Signatures, templates, rule and folder forms, printing, a shared mailbox's pages, the
    second factor's setup, the directory's and the agenda's side pages."""
    prof = make_person("prof.demo", first_name="Camille", last_name="Martin")
    subject = unique_subject("Sortie au musée")
    deliver(prof, build_message(to=prof.email, subject=subject))
    signature = Signature.objects.create(user=prof, name="interne", body="Camille")
    template = MessageTemplate.objects.create(user=prof, name="Convocation", body="Bonjour")
    shared = Mailbox.objects.create(
        address=f"vie-scolaire.fr@{settings.MAIL_DOMAIN}", imap_user="vie-scolaire.fr",
        display_name="Vie scolaire", kind=Mailbox.Kind.FUNCTIONAL,
        etablissement=prof.etablissement,
    )  # fmt: skip
    MailboxMember.objects.create(mailbox=shared, user=prof, can_read=True, can_manage=True,
                                 can_administer=True)  # fmt: skip
    client = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    client.post(reverse("account_login"), {"login": "prof.demo", "password": PASSWORD})
    box = prof.personal_mailbox.id
    uid = uid_of(prof, subject)
    session = UserSession.objects.get(user=prof)
    for url in (
        reverse("mail:writing_tools", args=["signatures"]),
        reverse("mail:writing_tools", args=["modeles"]),
        reverse("mail:writing_tool_edit", args=["signatures", signature.pk]),
        reverse("mail:writing_tool_edit", args=["modeles", template.pk]),
        reverse("mail:rule_new", args=[box]),
        reverse("mail:rules_sieve", args=[box]),
        reverse("mail:folder_edit", args=[box, "INBOX"]),
        reverse("mail:print", args=[box, "INBOX", uid]),
        reverse("mail:headers", args=[box, "INBOX", uid]),
        reverse("shared_mailboxes:members", args=[shared.id]),
        reverse("shared_mailboxes:journal", args=[shared.id]),
        reverse("shared_mailboxes:assigned", args=[shared.id]),
        reverse("mail:folder", args=[shared.id, "INBOX"]),
        reverse("mfa_activate_totp"),
        reverse("calendar_app:room_requests"),
        reverse("accounts:not_me", args=[session.pk]),
    ):
        check(client, url, fragments)


def test_every_error_page_is_french(fragments, settings):
    """400, 403, 404, 429, 500 and 503 through the catalogue check, with DEBUG off."""
    settings.ROOT_URLCONF = "tests.error_urls"
    settings.DEBUG = False
    prof = make_person("prof.demo")
    client = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9", raise_request_exception=False)
    client.force_login(prof)
    for url, status in (("/mail/page-inconnue/", 404), (reverse("support:search"), 403),
                        ("/panne/", 500)):  # fmt: skip
        html = check(client, url, fragments, status=status)
        assert f"Erreur {status}" in html and "Retour à ma boîte de réception" in html, url
    # A form with more fields than Django reads (DATA_UPLOAD_MAX_NUMBER_FIELDS): 400.
    fields = {f"champ{n}": "x" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    answer = client.post(reverse("mail:compose"), fields)
    html = answer.content.decode()
    assert answer.status_code == 400 and 'lang="fr"' in html and "Erreur 400" in html
    assert not untranslated(html, fragments), untranslated(html, fragments)
    assert "Retour à ma boîte de réception" in html and 'class="fr-header"' in html
    url = reverse("account_change_password")
    for _ in range(6):  # allauth allows five password changes a minute per person
        answer = client.post(url, {"oldpassword": "faux", "password1": "x", "password2": "x"})
    html = answer.content.decode()
    assert answer.status_code == 429 and "Erreur 429" in html
    assert not untranslated(html, fragments), untranslated(html, fragments)
    assert "Retour à ma boîte de réception" in html and 'class="fr-header"' in html
    settings.IMAP_PORT = free_port()  # nothing listens there: the mail store is down
    close_all_sessions()
    html = check(client, reverse("mail:home"), fragments, status=503)
    assert "Erreur 503" in html


# Django's «M» and «b» write three letters from their own list («Jui», «Jul», «Sep», «Déc»):
# dates use «N» («juil.», «sept.», as the lists do) or a named format.
THREE_LETTER_MONTH = re.compile(r"""\|date:\s*["'](?![A-Z_]+["'])[^"']*?(?<!\\)[Mb]""")


def test_no_page_writes_months_in_django_s_three_letter_list():
    base = Path(django_settings.BASE_DIR)
    found = [
        f"{path.relative_to(base)}: {match.group(0)}"
        for path in sorted((base / "templates").rglob("*.html"))
        for match in THREE_LETTER_MONTH.finditer(path.read_text(encoding="utf-8"))
    ]
    assert not found, found


def test_a_shared_mailbox_s_pages_write_months_as_the_lists_do(settings):
    settings.TIME_ZONE = "Europe/Paris"
    prof = make_person("prof.demo")
    shared = Mailbox.objects.create(
        address=f"vie-scolaire.mois@{settings.MAIL_DOMAIN}", imap_user="vie-scolaire.mois",
        display_name="Vie scolaire", kind=Mailbox.Kind.FUNCTIONAL,
        etablissement=prof.etablissement,
    )  # fmt: skip
    MailboxMember.objects.create(mailbox=shared, user=prof, can_read=True, can_administer=True)
    colleague = make_person("collegue.demo")
    MailboxMember.objects.create(
        mailbox=shared, user=colleague, can_read=True,
        starts_at=datetime(2026, 7, 1, 6, 26, tzinfo=UTC),
        ends_at=datetime(2026, 9, 1, 6, 26, tzinfo=UTC),
    )  # fmt: skip
    client = Client()
    client.force_login(prof)
    html = client.get(reverse("shared_mailboxes:members", args=[shared.id])).content.decode()
    assert "1 juil. 2026 08:26" in html and "1 sept. 2026 08:26" in html
