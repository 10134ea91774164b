"""The webmail on a phone (390 × 844): the header's menu button, folders in a collapsible
panel, one column per message, a compact writing form; nothing wider than the screen."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import (
    CHROMIUM,
    PASSWORD,
    assert_accessible,
    build_message,
    deliver,
    unique_subject,
)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("mail_stack")]

WIDTH, HEIGHT = 390, 844


@pytest.fixture
def phone(page):
    context = page.context.browser.new_context(
        locale="fr-FR", viewport={"width": WIDTH, "height": HEIGHT}, is_mobile=True,
        has_touch=True,
    )
    yield context.new_page()
    context.close()


def assert_fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"{page.url} is {width}px wide"


def assert_in_first_screen(locator) -> None:
    box = locator.bounding_box()
    assert box is not None and box["y"] + min(box["height"], 40) <= HEIGHT, box


def tab_to(page, locator, limit=30) -> None:
    """Press Tab until ``locator`` has the focus: reachable by keyboard alone."""
    handle = locator.element_handle()
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(el) => el === document.activeElement", handle):
            return
    raise AssertionError(f"{locator} not reached with Tab")


def test_sign_in_inbox_read_write_and_sign_out_on_a_phone(live_server, phone, prof):
    assert CHROMIUM
    subject = unique_subject("Conseil pédagogique")
    deliver(prof, build_message(to=prof.email, subject=subject))
    page = phone
    page.goto(f"{live_server.url}/")
    assert_fits(page)
    assert_accessible(page)
    page.get_by_label("Identifiant académique ou adresse électronique").fill("prof.demo")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

    # Inbox: the first message in the first screen, the folders folded away.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Boîte de réception")
    first = page.get_by_role("link", name=subject)
    expect(first).to_be_visible()
    assert_in_first_screen(first)
    assert_fits(page)
    # One column: sender and date on a line, the subject below them, all within the screen.
    cells = page.locator("tr.cv-row", has=first).locator("td")
    sender, subject_cell, date = (cells.nth(i).bounding_box() for i in (1, 2, 3))
    assert subject_cell["y"] >= sender["y"] + sender["height"] - 1, (sender, subject_cell)
    assert abs(date["y"] - sender["y"]) < 8 and date["x"] > sender["x"], (sender, date)
    assert max(b["x"] + b["width"] for b in (sender, subject_cell, date)) <= WIDTH
    # No keyboard on a phone: the shortcuts' link goes, and its separator with it.
    search_line = page.locator(".cv-quicksearch + p")
    expect(search_line).to_have_text("Rechercher dans tous les dossiers, recherche avancée",
                                     use_inner_text=True)
    folders = page.get_by_role("button", name=re.compile("Dossiers"))
    expect(page.get_by_role("link", name="Envoyés")).to_be_hidden()
    folders.click()
    expect(page.get_by_role("link", name="Envoyés")).to_be_visible()
    assert_accessible(page)

    # The header's links are behind the menu button, reachable with the keyboard.
    expect(page.get_by_role("banner").get_by_role("link", name="Mon compte")).to_be_hidden()
    menu = page.get_by_role("button", name="Menu")
    page.reload()  # the keyboard starts from the top of the page
    tab_to(page, menu)
    page.keyboard.press("Enter")
    menu_panel = page.get_by_role("dialog")
    for section in ("Messagerie", "Agenda", "Annuaire", "Contacts", "Préférences"):
        expect(menu_panel.get_by_role("link", name=section, exact=True)).to_be_visible()
    expect(menu_panel.get_by_role("link", name=re.compile("[Aa]vis"))).to_be_visible()
    expect(menu_panel.get_by_role("button", name="Se déconnecter")).to_be_visible()
    account = menu_panel.get_by_role("link", name="Mon compte")
    expect(account).to_be_visible()
    tab_to(page, account)
    assert_accessible(page)
    page.keyboard.press("Escape")

    # Reading.
    first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(subject)
    assert_fits(page)
    assert_accessible(page)

    # Writing: the body within the first screen.
    page.goto(f"{live_server.url}/mail/ecrire/")
    # The formatting editor (or, without JavaScript, the plain text area).
    body = page.get_by_label("Message", exact=True).locator("visible=true")
    expect(body.first).to_be_visible()
    assert_in_first_screen(body.first)
    assert_fits(page)
    assert_accessible(page)

    # Signing out through the menu.
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("dialog").get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_label("Identifiant académique ou adresse électronique")).to_be_visible()
    assert_fits(page)
