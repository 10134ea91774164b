"""In Chromium: the school calendar of the person's zone in the agenda (read-only, hidden and
shown again), its page, and the absence message «pendant les vacances scolaires»; with axe."""

import re

import pytest
from playwright.sync_api import expect

from tests.agenda_helpers import empty_store  # noqa: F401 - fixture
from tests.conftest import assert_accessible
from tests.test_browser_agenda import sign_in_to_agenda

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("empty_store")]


def test_the_school_holidays_of_the_zone_are_in_the_agenda(live_server, page, prof):
    sign_in_to_agenda(page, live_server)
    page.goto(f"{live_server.url}/agenda/vue/semaine/?date=2026-10-19")
    school = page.get_by_role("link", name="Calendrier scolaire (zone C)")
    expect(school).to_be_visible()  # Lycée 0311234Y: académie de Toulouse
    expect(page.get_by_role("link", name=re.compile("Vacances de la Toussaint"))).to_have_count(7)
    assert_accessible(page)
    page.goto(f"{live_server.url}/agenda/vue/mois/?date=2026-11-01")
    expect(page.get_by_role("link", name=re.compile("Armistice 1918"))).to_be_visible()

    page.get_by_role("button", name="Masquer Calendrier scolaire (zone C)").click()
    expect(page.get_by_role("link", name=re.compile("Armistice 1918"))).to_have_count(0)
    page.get_by_role("button", name="Afficher Calendrier scolaire (zone C)").click()
    page.get_by_role("link", name=re.compile("Armistice 1918")).first.click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Calendrier scolaire")
    expect(page.get_by_text("zone C (académie de Toulouse)")).to_be_visible()
    table = page.get_by_role("table", name="Vacances scolaires").first
    expect(table).to_contain_text("Vacances d'hiver")
    expect(table).to_contain_text("samedi 6 février 2027")
    expect(table).to_contain_text("lundi 22 février 2027")
    expect(page.get_by_role("table", name="Jours fériés").first).to_contain_text(
        "lundi 29 mars 2027")  # Easter Monday
    assert_accessible(page)


def test_an_absence_message_for_the_school_holidays(live_server, page, prof, dovecot):
    sign_in_to_agenda(page, live_server)
    page.goto(f"{live_server.url}/mail/boite/{prof.personal_mailbox.id}/absence/")
    expect(page.get_by_text("Les vacances scolaires de la zone C")).to_be_visible()
    for label in ("Envoyer un message d’absence", re.compile("Seulement pendant les vacances")):
        page.get_by_label(label).focus()  # the keyboard, as DSFR's label covers the box
        page.keyboard.press("Space")
    page.get_by_label("Objet").fill("En vacances")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("status")).to_contain_text("Votre message d’absence est activé.")
    school_only = page.get_by_label(re.compile("Seulement pendant les vacances scolaires"))
    expect(school_only).to_be_checked()
    assert_accessible(page)
    prof.personal_mailbox.refresh_from_db()
    assert prof.personal_mailbox.vacation.school_holidays
