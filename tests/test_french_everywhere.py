"""No English msgid on a page of the French UI: the main pages are rendered signed in, with
LANGUAGE_CODE=fr, and their text is compared with every msgid of the catalogues (the project's,
each app's, allauth's) whose French differs."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts import notices
from accounts.models import User
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


def test_main_pages_of_the_webmail_are_all_french(fragments, settings):
    assert settings.LANGUAGE_CODE == "fr"
    prof = make_person("prof.demo", first_name="Camille", last_name="Martin")
    subject = unique_subject("Sortie au musée")
    deliver(prof, build_message(to=prof.email, subject=subject))
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
        reverse("mail:compose") + f"?boite={box}&dossier=INBOX&uid={uid}&mode=reponse",
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

