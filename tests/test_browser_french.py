"""The French UI stays French when the browser asks for English: once signed in the interface
follows the person's preference, and so must allauth's message and the notices written at
sign-in (dates in French formats, the device described in French)."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import KnownDevice, Preferences
from tests.conftest import PASSWORD, assert_accessible, phone_of

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("mail_stack")]

FRENCH_DATE = (r"le \d{1,2}(er)? (janvier|février|mars|avril|mai|juin|juillet|août|septembre|"
               r"octobre|novembre|décembre) \d{4} \d{1,2}:\d{2}")


def test_an_english_browser_gets_the_french_flash_and_notice(live_server, page, prof):
    page = page.context.browser.new_context(locale="en-US").new_page()
    assert Preferences.of(prof).language == "fr"
    phone = phone_of(prof)  # with a second factor, a new device brings a notice
    KnownDevice.objects.create(user=prof, device_hash="0" * 64, label="Firefox sur Windows")
    page.goto(f"{live_server.url}/comptes/login/")
    expect(page.locator("html")).to_have_attribute("lang", "en")  # before: the browser's
    page.locator("input[name=login]").fill("prof.demo")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    page.locator("input[name=code]").fill(phone.now())
    page.locator("main button[type=submit]").first.click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Boîte de réception")
    expect(page.get_by_text("Connexion avec Camille Martin réussie.")).to_be_visible()
    expect(page.get_by_text("Successfully signed in")).to_have_count(0)

    page.goto(f"{live_server.url}/compte/avis/")
    notice = page.locator("main").get_by_text(re.compile("Quelqu’un s’est connecté"))
    expect(notice).to_have_text(re.compile(FRENCH_DATE))
    expect(notice).to_contain_text("depuis Chrome sur Linux")
    assert_accessible(page)
