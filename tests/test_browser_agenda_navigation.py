"""In Chromium: the mini month beside the week, moved on its own and leading to a day, and
the «semaine A / B» preference; at desktop width and 390 px, with axe."""

import re

import pytest
from playwright.sync_api import expect

from tests.agenda_helpers import empty_store  # noqa: F401 - fixture
from tests.conftest import assert_accessible
from tests.test_browser_agenda import sign_in_to_agenda

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("empty_store")]


def test_mini_month_and_week_a_b(live_server, page, prof):
    sign_in_to_agenda(page, live_server)
    mini = page.locator("#mini-month")
    expect(mini.get_by_role("heading")).to_have_text("novembre 2026")
    assert_accessible(page)
    mini.get_by_role("link", name="Mois suivant").click()
    expect(mini.get_by_role("heading")).to_have_text("décembre 2026")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Semaine 47")
    mini.get_by_role("link", name="mercredi 9 décembre 2026").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Semaine 50")

    page.get_by_role("link", name="Préférences d'affichage").click()
    page.get_by_text("Afficher «semaine A» et «semaine B»").click()
    page.get_by_label("Un jour d'une semaine A").fill("2026-12-07")
    assert_accessible(page)
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("status")).to_contain_text("Préférences enregistrées.")
    page.goto(f"{live_server.url}/agenda/vue/semaine/?date=2026-12-09")
    title = page.get_by_role("heading", level=1)
    expect(title).to_contain_text(re.compile("Semaine 50.*semaine A"))
    assert_accessible(page)

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/agenda/vue/jour/?date=2026-12-16")
    expect(page.get_by_text("Semaine 51")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page)


def test_an_event_in_another_time_zone(live_server, page, prof):
    from tests.test_agenda_time_zones import _event, _store

    sign_in_to_agenda(page, live_server)
    _store(_event("Visio avec Fort-de-France", "20261119T140000", "20261119T150000",
                  "America/Martinique"))  # fmt: skip
    page.reload()
    event = page.get_by_role("link", name=re.compile("Visio avec Fort-de-France"))
    expect(event).to_contain_text("19:00 – 20:00")
    expect(event).to_contain_text("(14:00 – 15:00, heure : Martinique)")
    assert_accessible(page)
    event.click()
    expect(page.get_by_text("Dans son fuseau horaire")).to_be_visible()
    assert_accessible(page)
