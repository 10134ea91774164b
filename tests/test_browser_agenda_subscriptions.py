"""In Chromium: subscribe to an .ics address, see its events read-only; the pages pass axe."""

import re

import pytest
from playwright.sync_api import expect

from tests.agenda_helpers import empty_store  # noqa: F401 - fixture
from tests.conftest import assert_accessible
from tests.test_agenda_subscriptions import FEED, feed_server  # noqa: F401 - fixture
from tests.test_browser_agenda import sign_in_to_agenda

SUBSCRIBE = re.compile("^S.abonner$")  # the site writes the typographic apostrophe
pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("empty_store")]


def test_subscribe_in_the_page(live_server, page, prof, feed_server, settings):  # noqa: F811
    settings.AGENDA_SUBSCRIPTION_ALLOW_LOOPBACK = True  # the feed is served from loopback
    sign_in_to_agenda(page, live_server)
    page.get_by_role("link", name="Gérer les agendas").click()
    page.get_by_role("link", name=re.compile("S.abonner à un agenda publié")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Abonnements")
    page.get_by_label(re.compile("Adresse de l.agenda")).fill("http://10.0.0.1/agenda.ics")
    page.get_by_label("Nom").fill("Vacances scolaires")
    page.get_by_role("button", name=SUBSCRIBE).click()
    expect(page.get_by_text("Cette adresse ne peut pas être utilisée")).to_be_visible()
    assert_accessible(page)
    page.get_by_label(re.compile("Adresse de l.agenda")).fill(f"{feed_server.url}{FEED}")
    page.get_by_role("button", name=SUBSCRIBE).click()
    expect(page.get_by_role("status")).to_contain_text("Abonnement enregistré")
    expect(page.get_by_text("Dernière actualisation le")).to_be_visible()
    assert_accessible(page)

    page.goto(f"{live_server.url}/agenda/vue/semaine/?date=2026-11-18")
    page.get_by_role("link", name=re.compile("Journée pédagogique")).click()
    expect(page.get_by_text("abonnement, lecture seule")).to_be_visible()
    expect(page.get_by_role("link", name="Modifier")).to_have_count(0)
    assert_accessible(page)
