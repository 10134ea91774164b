"""In headless Debian Chromium: IT support must turn on two-step verification before reaching
the webmail; pyotp plays the phone; axe-core checks each page."""

import time

import pyotp
import pytest
from playwright.sync_api import expect

from accounts.models import User
from tests.conftest import PASSWORD, assert_accessible, make_person

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("mail_stack")]


def test_it_support_enrols_with_the_qr_code_page_then_signs_in_with_a_code(live_server, page):
    make_person("support.demo", category=User.Category.IT_SUPPORT)
    page.goto(f"{live_server.url}/comptes/login/")
    page.get_by_label("Identifiant académique ou adresse électronique").fill("support.demo")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

    # Sent to enrolment, which first asks for the password again.
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirmez que c’est bien vous")
    assert_accessible(page)
    page.get_by_label("Votre mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Confirmer").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Activer la validation en deux étapes"
    )
    expect(page.get_by_text("Cette étape est obligatoire")).to_be_visible()
    qr_code = page.get_by_role("img", name="QR code à scanner avec l’application de codes")
    expect(qr_code).to_be_visible()
    assert_accessible(page)
    secret = page.locator("#totp-key").inner_text().strip()
    phone = pyotp.TOTP(secret)
    step = int(time.time()) // 30
    page.get_by_label("Code affiché par l’application").fill(phone.at(step * 30))
    page.get_by_role("button", name="Confirmer et activer").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Codes de secours")
    codes = page.get_by_role("list", name="Codes de secours").get_by_role("listitem")
    expect(codes).to_have_count(10)
    assert_accessible(page)
    page.get_by_role("link", name="Je les ai notés").click()
    # IT support lands on its console, which the header leads to from everywhere.
    expect(page.get_by_role("heading", level=1)).to_have_text("Chercher un compte")
    page.goto(f"{live_server.url}/compte/")
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Console d’assistance").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Chercher un compte")

    page.get_by_role("button", name="Se déconnecter").click()
    page.get_by_label("Identifiant académique ou adresse électronique").fill("support.demo")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Deuxième étape : le code de votre téléphone"
    )
    assert_accessible(page)
    page.get_by_label("Code").fill(phone.at((step + 1) * 30))
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Boîte de réception")


def test_a_sign_in_from_another_country_names_the_country(live_server, page, settings):
    make_person("prof.demo")
    # The académie's reverse proxy gives the address in X-Real-IP; here the test plays it.
    settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER = "X-Real-IP"
    for address in ("81.250.1.1", "8.8.8.8"):  # Orange in France, then the United States
        page.context.clear_cookies()
        page.set_extra_http_headers({"X-Real-IP": address})
        page.goto(f"{live_server.url}/comptes/login/")
        page.get_by_label("Identifiant académique ou adresse électronique").fill("prof.demo")
        page.get_by_label("Mot de passe").fill(PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Boîte de réception")

    page.goto(f"{live_server.url}/compte/avis/")
    notice = page.get_by_role("main").get_by_text("Cette adresse est dans un pays")
    expect(notice).to_contain_text("(États-Unis)")
    expect(notice).to_contain_text("8.8.8.8")
    assert_accessible(page)
