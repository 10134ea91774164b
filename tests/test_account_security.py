"""Two-step verification (pyotp plays the phone), the académie's policy, sessions, the
new-device notice, app password pages and the mail client set-up documents."""

import plistlib
import re
import time

import pyotp
import pytest
from allauth.mfa.models import Authenticator
from django.test import Client
from django.urls import reverse

from accounts import account_mail, app_passwords
from accounts.models import AccountEvent, KnownDevice, Notice, User
from tests.conftest import PASSWORD, make_person, phone_of

pytestmark = pytest.mark.django_db(transaction=True)
OUTSIDE = "192.0.2.10"
INSIDE = "10.20.30.40"


def sign_in(client, login="prof.demo", password=PASSWORD, ip="127.0.0.1"):
    return client.post(reverse("account_login"), {"login": login, "password": password},
                       REMOTE_ADDR=ip)  # fmt: skip


def reauthenticate(client, password=PASSWORD):
    response = client.post(reverse("account_reauthenticate"), {"password": password})
    assert response.status_code == 302, response.text


def enrol(client) -> tuple[str, int]:
    """Turns TOTP on through the pages, like a person with a phone. Returns the secret and
    the time step of the code used."""
    page = client.get(reverse("mfa_activate_totp"))
    if page.status_code == 302:  # allauth asks for the password again first
        assert reverse("account_reauthenticate") in page.url
        reauthenticate(client)
        page = client.get(reverse("mfa_activate_totp"))
    assert 'src="data:image/svg+xml;base64,' in page.text
    secret = re.search(r'data-secret="([A-Z2-7]+)"', page.text).group(1)
    wrong = client.post(reverse("mfa_activate_totp"), {"code": "000000"})
    assert "Ce code n’est pas le bon" in wrong.text
    step = int(time.time()) // 30
    done = client.post(reverse("mfa_activate_totp"), {"code": pyotp.TOTP(secret).at(step * 30)})
    assert done.status_code == 302 and done.url == reverse("mfa_view_recovery_codes")
    return secret, step


def test_enrolment_codes_shown_once_and_no_replay(client):
    prof = make_person("prof.demo")
    assert sign_in(client).url == reverse("mail:home")
    secret, step = enrol(client)
    codes_page = client.get(reverse("mfa_view_recovery_codes"))
    assert "affichés une seule fois" in codes_page.text
    codes = re.findall(r"<li><code>([0-9a-z]+)</code></li>", codes_page.text)
    assert len(codes) == 10
    again = client.get(reverse("mfa_view_recovery_codes"))
    assert codes[0] not in again.text and "ne sont plus affichés" in again.text
    assert AccountEvent.objects.filter(user=prof, kind=AccountEvent.Kind.MFA_ENABLED).exists()

    client.post(reverse("account_logout"))
    phone = pyotp.TOTP(secret)
    response = sign_in(client)
    assert response.url == reverse("mfa_authenticate")
    # The code typed at activation cannot be replayed to sign in.
    replay = client.post(reverse("mfa_authenticate"), {"code": phone.at(step * 30)})
    assert replay.status_code == 200 and "déjà été utilisé" in replay.text
    next_code = phone.at((step + 1) * 30)
    assert client.post(reverse("mfa_authenticate"), {"code": next_code}).url == reverse("mail:home")

    client.post(reverse("account_logout"))
    sign_in(client)
    replay = client.post(reverse("mfa_authenticate"), {"code": next_code})
    assert "_auth_user_id" not in client.session and "déjà été utilisé" in replay.text
    # A recovery code works once.
    assert client.post(reverse("mfa_authenticate"), {"code": codes[0]}).url == reverse("mail:home")
    client.post(reverse("account_logout"))
    sign_in(client)
    client.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert "_auth_user_id" not in client.session


def test_turning_off_asks_for_the_password_again(client):
    prof = make_person("prof.demo")
    sign_in(client)
    enrol(client)
    session = client.session
    for record in session["account_authentication_methods"]:
        record["at"] -= 3600  # an hour later
    session.save()
    response = client.get(reverse("mfa_deactivate_totp"))
    assert response.status_code == 302 and reverse("account_reauthenticate") in response.url
    form = client.get(response.url)
    assert "Confirmez que c’est bien vous" in form.text
    wrong = client.post(reverse("account_reauthenticate"), {"password": "pas-le-bon"})
    assert wrong.status_code == 200
    reauthenticate(client)
    assert client.post(reverse("mfa_deactivate_totp")).url == reverse("mfa_index")
    assert not Authenticator.objects.filter(user=prof).exists()  # recovery codes went too
    assert AccountEvent.objects.filter(user=prof, kind=AccountEvent.Kind.MFA_DISABLED).exists()


def test_it_support_must_enrol_before_reaching_the_webmail_and_cannot_turn_it_off(client):
    make_person("support.demo", category=User.Category.IT_SUPPORT)
    response = sign_in(client, "support.demo")
    assert client.get(response.url).url == reverse("mfa_activate_totp")
    assert client.get(reverse("mail:home")).url == reverse("mfa_activate_totp")
    assert client.get(reverse("accounts:app_passwords")).url == reverse("mfa_activate_totp")
    reauthenticate(client)
    page = client.get(reverse("mfa_activate_totp"))
    assert "Cette étape est obligatoire" in page.text
    enrol(client)
    assert client.get(reverse("accounts:account")).status_code == 200
    refused = client.post(reverse("mfa_deactivate_totp"))
    assert "ne peut pas être désactivée" in refused.text
    assert Authenticator.objects.filter(user__username="support.demo", type="totp").exists()


def test_outside_the_trusted_networks_a_second_factor_is_required(client, settings):
    settings.TRUSTED_NETWORKS = ["10.0.0.0/8", "2001:db8::/32"]
    make_person("prof.demo")
    assert sign_in(client, ip=INSIDE).url == reverse("mail:home")
    assert client.get(reverse("accounts:account"), REMOTE_ADDR=INSIDE).status_code == 200
    client.post(reverse("account_logout"))
    sign_in(client, ip=OUTSIDE)
    assert client.get(reverse("mail:home"), REMOTE_ADDR=OUTSIDE).url == reverse("mfa_activate_totp")
    # An address header the client sets itself is not believed (no trusted proxy configured).
    other = Client()
    response = other.post(reverse("account_login"), {"login": "prof.demo", "password": PASSWORD},
                          REMOTE_ADDR=OUTSIDE, HTTP_X_FORWARDED_FOR=INSIDE)  # fmt: skip
    assert other.get(reverse("mail:home")).url == reverse("mfa_activate_totp"), response


def two_browsers():
    return (Client(HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"),
            Client(HTTP_USER_AGENT="Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) "
                                   "Version/17.0 Mobile/15E148 Safari/604.1"))  # fmt: skip


def test_sessions_listed_and_ending_one_signs_that_browser_out():
    prof = make_person("prof.demo")
    colleague = make_person("collegue.demo")
    laptop, phone = two_browsers()
    for browser in (laptop, phone):
        browser.get(reverse("account_login"))
        sign_in(browser)
    outsider = Client()
    sign_in(outsider, "collegue.demo")
    page = laptop.get(reverse("accounts:sessions"))
    assert "Firefox sur Linux" in page.text and "Safari sur iPhone" in page.text
    assert "ce navigateur" in page.text
    phone_session = prof.usersession_set.get(user_agent__contains="iPhone")
    # Nobody ends someone else's session.
    assert outsider.post(reverse("accounts:sessions"),
                         {"session": phone_session.pk}).status_code == 404  # fmt: skip
    assert phone.get(reverse("accounts:account")).status_code == 200
    laptop.post(reverse("accounts:sessions"), {"session": phone_session.pk})
    assert phone.get(reverse("mail:home")).url.startswith(reverse("account_login"))
    assert laptop.get(reverse("accounts:account")).status_code == 200
    assert AccountEvent.objects.filter(user=prof, kind=AccountEvent.Kind.SESSION_ENDED).count() == 1
    # «All the others»: only the current one stays, and only one's own.
    sign_in(phone)
    laptop.post(reverse("accounts:sessions"), {"end": "others"})
    assert phone.get(reverse("mail:home")).url.startswith(reverse("account_login"))
    assert laptop.get(reverse("accounts:account")).status_code == 200
    assert outsider.get(reverse("accounts:account")).status_code == 200
    assert colleague.usersession_set.count() == 1


def test_new_device_notice_and_ending_that_session(monkeypatch):
    prof = make_person("prof.demo", recovery_email="camille@perso.example")
    mails = []
    monkeypatch.setattr(account_mail, "queue", lambda **mail: mails.append(mail))
    laptop, phone = two_browsers()
    laptop.get(reverse("account_login"))
    sign_in(laptop)
    assert not Notice.objects.exists()  # the first device has nothing to compare with
    laptop.post(reverse("account_logout"))
    sign_in(laptop)
    assert not Notice.objects.exists()  # the same browser again
    # A new browser alone is not unusual: the shared computers of a salle des professeurs.
    shared = Client(HTTP_USER_AGENT="Mozilla/5.0 (Windows NT 10.0) Chrome/131.0 Safari/537.36")
    shared.get(reverse("account_login"))
    sign_in(shared)
    assert not Notice.objects.exists() and not mails
    assert AccountEvent.objects.filter(user=prof, kind=AccountEvent.Kind.NEW_DEVICE).count() == 1
    # A new device right after a streak of wrong passwords is.
    phone.get(reverse("account_login"))
    for _ in range(3):
        sign_in(phone, password="pas-le-bon")
    sign_in(phone)
    notice = Notice.objects.get(user=prof)
    assert notice.title == "Connexion à votre compte après des mots de passe ou des codes erronés"
    assert "3 mots de passe ou codes erronés" in notice.body
    assert "Safari sur iPhone" in notice.body and notice.link_text == "Ce n’était pas moi"
    assert AccountEvent.objects.filter(user=prof, kind=AccountEvent.Kind.NEW_DEVICE).count() == 2
    assert "1 nouvel avis" in laptop.get(reverse("accounts:account")).text
    [mail] = mails  # also by mail, to the mailbox and the recovery address
    assert mail["to"] == [prof.email, "camille@perso.example"]
    assert mail["subject"] == notice.title and notice.link in mail["body"]

    page = laptop.get(notice.link)
    assert "Safari sur iPhone" in page.text
    response = laptop.post(notice.link)
    assert response.url == reverse("account_change_password")
    assert phone.get(reverse("mail:home")).url.startswith(reverse("account_login"))
    # The same link followed by someone else shows nothing of that session.
    stranger = Client()
    make_person("collegue.demo")
    sign_in(stranger, "collegue.demo")
    assert "Safari" not in stranger.get(notice.link).text


def test_new_device_notices_for_an_account_with_2fa_are_grouped_by_day(monkeypatch):
    prof = make_person("prof.demo")
    phone = phone_of(prof)
    mails = []
    monkeypatch.setattr(account_mail, "queue", lambda **mail: mails.append(mail))
    KnownDevice.objects.create(user=prof, device_hash="0" * 64, label="Firefox sur Windows")
    for n in range(3):  # three new browsers the same day
        browser = Client(HTTP_USER_AGENT=f"Mozilla/5.0 (X11; Linux x86_64) Firefox/12{n}.0")
        browser.get(reverse("account_login"))
        sign_in(browser)
        browser.post(reverse("mfa_authenticate"), {"code": phone.at(time.time() + 30 * (n - 1))})
        assert "_auth_user_id" in browser.session
    notice = Notice.objects.get(user=prof)  # one notice, counting
    assert notice.title == "Nouvelle connexion à votre compte" and notice.count == 3
    assert notice.body.startswith("3 connexions de ce type aujourd’hui. La dernière :")
    assert len(mails) == 1  # mailed once, not three times


def test_app_password_pages_show_it_once_and_revoke(client):
    prof = make_person("prof.demo")
    colleague = make_person("collegue.demo")
    _, other_secret = app_passwords.create_app_password(user=colleague, label="Tablette")
    other = app_passwords.active(colleague).get()
    sign_in(client)
    empty = client.post(reverse("accounts:app_passwords"), {"label": ""})
    assert "Ce champ est obligatoire" in empty.text
    created = client.post(reverse("accounts:app_passwords"), {"label": "Téléphone"})
    assert created["Cache-Control"] == "no-store"
    secret = re.search(r'id="new-app-password">([a-z0-9-]+)<', created.text).group(1)
    assert app_passwords.looks_like_app_password(secret)
    listing = client.get(reverse("accounts:app_passwords"))
    assert secret not in listing.text and "Téléphone" in listing.text and "jamais" in listing.text
    assert client.post(reverse("accounts:app_password_revoke", args=[other.pk])).status_code == 404
    assert app_passwords.active(colleague).exists() and other_secret
    mine = app_passwords.active(prof).get()
    client.post(reverse("accounts:app_password_revoke", args=[mine.pk]))
    assert not app_passwords.active(prof).exists()
    # The journal says which of the two happened, and to which one.
    history = client.get(reverse("accounts:history")).text
    assert "Mot de passe d’application créé — « Téléphone »" in history
    assert "Mot de passe d’application révoqué — « Téléphone »" in history
    assert "créé ou révoqué" not in history


def test_autoconfig_needs_no_login_and_the_apple_profile_holds_no_password(client, settings):
    settings.MAIL_CLIENT_IMAP_HOST = "imap.ac-demo.test"
    settings.MAIL_CLIENT_IMAP_PORT = 993
    settings.MAIL_CLIENT_IMAP_SECURITY = "ssl"
    for url in ("/.well-known/autoconfig/mail/config-v1.1.xml",
                "/mail/config-v1.1.xml?emailaddress=prof.demo%40ac-demo.test"):  # fmt: skip
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/xml")
        assert "<hostname>imap.ac-demo.test</hostname>" in response.text
        assert "<port>993</port>" in response.text
        assert "<socketType>SSL</socketType>" in response.text
        assert "<domain>ac-demo.test</domain>" in response.text

    assert client.get(reverse("accounts:apple_profile")).status_code == 302  # signed in only
    make_person("prof.demo")
    sign_in(client)
    page = client.get(reverse("accounts:mobile_setup"))
    assert "imap.ac-demo.test" in page.text and "SSL/TLS" in page.text
    response = client.get(reverse("accounts:apple_profile"))
    assert response["Content-Type"] == "application/x-apple-aspen-config"
    assert PASSWORD.encode() not in response.content
    profile = plistlib.loads(response.content)
    mail = profile["PayloadContent"][0]
    assert mail["PayloadType"] == "com.apple.mail.managed"
    assert mail["IncomingMailServerHostName"] == "imap.ac-demo.test"
    assert mail["IncomingMailServerUseSSL"] is True
    assert mail["IncomingMailServerUsername"] == "prof.demo"
    assert "IncomingPassword" not in mail and "OutgoingPassword" not in mail


def test_sign_in_from_a_new_country_is_noticed_even_on_a_known_device(monkeypatch):
    prof = make_person("prof.demo")
    monkeypatch.setattr(account_mail, "queue", lambda **mail: None)
    laptop, _phone = two_browsers()
    laptop.get(reverse("account_login"))
    sign_in(laptop, ip="81.250.1.1")  # Orange, France: the first device
    laptop.post(reverse("account_logout"))
    sign_in(laptop, ip="81.250.7.7")  # the same browser, the same country
    assert not Notice.objects.exists()
    laptop.post(reverse("account_logout"))
    sign_in(laptop, ip="8.8.8.8")  # the same browser, from the United States
    notice = Notice.objects.get(user=prof)
    assert notice.title == "Connexion à votre compte depuis un autre pays"
    assert "(États-Unis)" in notice.body and "8.8.8.8" in notice.body
    event = AccountEvent.objects.get(user=prof, kind=AccountEvent.Kind.NEW_DEVICE)
    assert event.details["country"] == "US" and event.details["new_country"]


def test_countries_are_named_in_the_readers_language():
    from django.utils import translation

    from accounts.geoip import country_name

    with translation.override("fr"):
        assert [country_name(c) for c in ("US", "DE", "KR")] == [
            "États-Unis", "Allemagne", "Corée du Sud"]
    with translation.override("en"):
        assert [country_name(c) for c in ("US", "DE", "KR")] == [
            "United States", "Germany", "South Korea"]
    assert country_name("XX") == "XX"  # not in the list: the code, as before


def test_country_of_reads_debians_geoip_files_and_ignores_private_addresses():
    from accounts.geoip import country_of

    assert (country_of("81.250.1.1"), country_of("2a01:cb00::1")) == ("FR", "FR")
    assert country_of("8.8.8.8") == "US"
    for unknown in ("127.0.0.1", "10.0.0.5", "192.168.1.2", "::1", "pas une adresse", None):
        assert country_of(unknown) is None
