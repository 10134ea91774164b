"""In Chromium: a drag over free time in the week grid opens «Nouvel événement» for the time
dragged over, a click for an hour from the half-hour clicked; without a script the same
query fills the form, and the keyboard keeps the «Créer un événement» button."""

import re

import pytest
from playwright.sync_api import expect

from tests.agenda_helpers import empty_store  # noqa: F401 - fixture
from tests.conftest import assert_accessible
from tests.test_browser_agenda import sign_in_to_agenda

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("empty_store")]
HOUR_PX, FIRST_HOUR = 48, 7  # static/js/agenda.js and calendar_app/grid.py


def _grid_y(box, hour: float) -> float:
    return box["y"] + (hour - FIRST_HOUR) * HOUR_PX


def test_drag_a_slot_then_click_one(live_server, page, prof):
    sign_in_to_agenda(page, live_server)
    grid = page.locator('section[data-date="2026-11-19"] .cv-timed')
    box = grid.bounding_box()
    x = box["x"] + box["width"] / 2
    page.mouse.move(x, _grid_y(box, 10) + 2)
    page.mouse.down()
    page.mouse.move(x, _grid_y(box, 11), steps=4)
    page.mouse.move(x, _grid_y(box, 11.5) - 2, steps=4)
    expect(page.locator(".cv-selection")).to_have_text("10:00 – 11:30")
    page.mouse.up()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nouvel événement")
    expect(page.get_by_label("Date de début")).to_have_value("2026-11-19")
    expect(page.get_by_label("Heure de début")).to_have_value("10:00")
    expect(page.get_by_label("Heure de fin")).to_have_value("11:30")
    page.get_by_label("Titre").fill("Conseil pédagogique")
    page.get_by_role("button", name="Créer l'événement").click()
    event = page.get_by_role("link", name=re.compile("Conseil pédagogique"))
    expect(event).to_contain_text("10:00 – 11:30")
    assert_accessible(page)

    page.evaluate("window.scrollBy(0, 400)")  # the afternoon, into the window
    box = page.locator('section[data-date="2026-11-17"] .cv-timed').bounding_box()
    page.mouse.click(box["x"] + 10, _grid_y(box, 14.75))  # 14:45: the half-hour is 14:30
    expect(page.get_by_label("Heure de début")).to_have_value("14:30")
    expect(page.get_by_label("Heure de fin")).to_have_value("15:30")
    expect(page.get_by_label("Date de début")).to_have_value("2026-11-17")


def test_the_slot_query_fills_the_form_without_a_script(live_server, page, prof):
    sign_in_to_agenda(page, live_server)
    page.goto(f"{live_server.url}/agenda/evenement/nouveau/?date=2026-11-20&debut=08:15&fin=09:45")
    expect(page.get_by_label("Heure de début")).to_have_value("08:15")
    expect(page.get_by_label("Heure de fin")).to_have_value("09:45")
    page.goto(f"{live_server.url}/agenda/evenement/nouveau/?date=2026-11-20&debut=10:00&fin=9h")
    expect(page.get_by_label("Heure de début")).to_have_value("09:00")  # the default hour
