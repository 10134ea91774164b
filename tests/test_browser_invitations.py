"""In Chromium: invite a colleague from the event form, then, as the colleague, read the
invitation as a card and accept it, at desktop width and at 390 px; the pages pass axe."""

import uuid

import pytest
from playwright.sync_api import expect

from calendar_app import itip
from tests.agenda_helpers import empty_store  # noqa: F401 - fixture
from tests.conftest import assert_accessible, sign_in_to_inbox, wait_for
from tests.invitation_helpers import next_tuesday, received
from tests.test_invitations_receiving import _ensure_calendar, copy_of

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("empty_store", "mail_stack")]


def test_invite_then_accept_from_the_message(live_server, page, prof, colleague):
    _ensure_calendar(colleague)
    title = f"Conseil pédagogique {uuid.uuid4().hex[:6]}"
    start = next_tuesday(11)
    sign_in_to_inbox(page, live_server, "prof.demo")
    page.goto(f"{live_server.url}/agenda/evenement/nouveau/?participants={colleague.email}"
              f"&date={start.date().isoformat()}&heure=11")  # fmt: skip
    expect(page.get_by_label("Participants")).to_have_value(colleague.email)
    page.get_by_label("Titre").fill(title)
    page.get_by_label("Lieu").fill("Salle des professeurs")
    assert_accessible(page)
    page.get_by_role("button", name="Créer l'événement").click()
    expect(page.get_by_role("status")).to_contain_text("Événement créé.")
    request = wait_for(lambda: received("collegue.demo", title))[0][1]

    page.context.clear_cookies()
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in_to_inbox(page, live_server, "collegue.demo")
    page.get_by_role("link", name=title).first.click()
    card = page.locator(".cv-invitation")
    expect(card.get_by_role("heading", name=title)).to_be_visible()
    expect(card).to_contain_text("Salle des professeurs")
    expect(card).to_contain_text("Camille Martin <prof.demo@ac-demo.test>")
    expect(card).to_contain_text("en attente de votre réponse")
    assert_accessible(page)
    card.get_by_label("Commentaire (facultatif)").fill("J'apporte les bulletins.")
    card.get_by_role("button", name="Accepter").click()
    expect(page.get_by_role("status").first).to_contain_text("Vous avez accepté")
    expect(page.locator(".cv-invitation")).to_contain_text("Vous avez accepté.")
    assert_accessible(page)
    wait_for(lambda: itip.partstat_of(copy_of(prof, request.uid), colleague.email) == "ACCEPTED")
