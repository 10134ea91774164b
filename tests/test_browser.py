"""In headless Debian Chromium: sign in, find a message, open it; axe-core checks each page."""

import pytest
from playwright.sync_api import expect

from tests.conftest import (
    PASSWORD,
    assert_accessible,
    build_message,
    inbox_subjects,
    send_inbound,
    unique_subject,
    wait_for,
)

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.usefixtures("mail_stack")]


def test_teacher_signs_in_and_reads_a_message(live_server, page, prof):
    subject = unique_subject("Convocation au conseil de classe")
    send_inbound(
        build_message(
            to=prof.email,
            subject=subject,
            body="Le conseil de classe de 2nde 3 aura lieu mardi à 17 h 30.",
        )
    )
    wait_for(lambda: subject in inbox_subjects("prof.demo"))

    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Connexion à votre messagerie académique"
    )
    assert page.locator("html").get_attribute("lang") == "fr"
    assert_accessible(page)

    page.get_by_label("Identifiant académique ou adresse électronique").fill("prof.demo")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Boîte de réception")
    link = page.get_by_role("link", name=subject)
    expect(link).to_be_visible()
    assert_accessible(page)

    # Keyboard only: tab to the message link and open it with Enter.
    link.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(subject)
    expect(page.get_by_text("Le conseil de classe de 2nde 3 aura lieu mardi")).to_be_visible()
    assert_accessible(page)


def test_wrong_password_is_refused_without_saying_which_part(live_server, page, prof):
    page.goto(f"{live_server.url}/comptes/login/")
    page.get_by_label("Identifiant académique ou adresse électronique").fill("prof.demo")
    page.get_by_label("Mot de passe").fill("pas-le-bon-mot-de-passe")
    page.get_by_role("button", name="Se connecter").click()
    alert = page.get_by_role("alert")
    expect(alert).to_be_visible()
    assert "incorrect" in alert.inner_text()
    assert_accessible(page)
