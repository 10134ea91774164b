"""Dates as a French reader sees them: their own time zone, Django's French months, «aujourd’hui»
and «hier», the same in the list, the message, the conversation and the search results."""

import zoneinfo
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from accounts.models import Preferences
from tests.conftest import (
    assert_accessible,
    build_message,
    deliver,
    empty_inbox,
    sign_in_to_inbox,
    uid_of,
    unique_subject,
)
from tests.test_message_dates import _deliver_fixture

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("mail_stack")]
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
SUMMER = datetime(2026, 7, 1, 6, 26, tzinfo=UTC)  # 08:26 in Paris, summer time


def test_list_message_conversation_and_search_show_the_same_french_dates(live_server, page, prof):
    empty_inbox(prof)
    summer = unique_subject("Voyage scolaire")
    deliver(prof, build_message(to=prof.email, subject=summer, date=SUMMER))
    now = datetime.now(UTC)
    today = unique_subject("Réunion")
    deliver(prof, build_message(to=prof.email, subject=today, date=now))
    yesterday = unique_subject("Compte rendu")
    deliver(prof, build_message(to=prof.email, subject=yesterday, date=now - timedelta(days=1)))
    at = f"{now.astimezone(PARIS):%H:%M}"
    before = f"{(now - timedelta(days=1)).astimezone(PARIS):%H:%M}"

    sign_in_to_inbox(page, live_server)
    row = page.locator("tr", has=page.get_by_role("link", name=summer))
    expect(row.locator("time")).to_have_text("1 juil. 2026 08:26")
    expect(
        page.locator("tr", has=page.get_by_role("link", name=today)).locator("time")
    ).to_have_text(f"aujourd’hui {at}")
    expect(
        page.locator("tr", has=page.get_by_role("link", name=yesterday)).locator("time")
    ).to_have_text(f"hier {before}")

    page.get_by_role("link", name=summer).click()
    expect(page.locator(".cv-message time").first).to_have_text("1 juil. 2026 08:26")

    box = prof.personal_mailbox.id
    uid = uid_of(prof, summer)
    page.goto(live_server.url + reverse("mail:conversation", args=[box, "INBOX", uid]))
    expect(page.locator(".cv-conversation time")).to_have_text("1 juil. 2026 08:26")

    page.goto(live_server.url + reverse("mail:search", args=[box]) + f"?subject={summer}")
    expect(page.locator("tr", has=page.get_by_text(summer)).locator("time")).to_have_text(
        "1 juil. 2026 08:26"
    )


def test_the_readers_own_time_zone(client, prof):
    Preferences.objects.create(user=prof, time_zone="America/Cayenne")
    empty_inbox(prof)
    subject = unique_subject("Mission")
    deliver(prof, build_message(to=prof.email, subject=subject, date=SUMMER))
    client.force_login(prof)
    page = client.get(reverse("mail:folder", args=[prof.personal_mailbox.id, "INBOX"]))
    assert "1 juil. 2026 03:26" in page.text


@pytest.mark.parametrize(
    "name", ["date-minus-zero.eml", "date-obsolete-spacing.eml", "date-three-digit-year.eml"]
)
def test_a_message_in_any_date_form_opens_answers_and_forwards(live_server, page, prof, name):
    """«Répondre» and «Transférer» answered 500 on a Date ending in -0000, and the message
    showed an hour off from the list: the same 08:26 (Paris) everywhere, every form opening."""
    empty_inbox(prof)  # dated 1 October 2026: other tests' mail would push it off page 1
    subject = _deliver_fixture(prof, name)
    sign_in_to_inbox(page, live_server)
    row = page.locator("tr", has=page.get_by_role("link", name=subject))
    expect(row.locator("time")).to_have_text("1 oct. 2026 08:26")
    page.get_by_role("link", name=subject).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(subject)
    expect(page.locator(".cv-message time").first).to_have_text("1 oct. 2026 08:26")
    message = page.url

    page.get_by_role("link", name="Répondre", exact=True).click()
    editor = page.get_by_role("textbox", name="Message", exact=True)
    expect(editor).to_contain_text(
        "Le 1 oct. 2026 08:26, Hélène Dupré <helene.dupre@example.org> a écrit :"
    )
    expect(page.get_by_label("Objet", exact=True)).to_have_value(f"Re: {subject}")

    page.goto(message)
    page.get_by_role("link", name="Transférer", exact=True).click()
    expect(editor).to_contain_text("Date : 1 oct. 2026 08:26")
    expect(page.get_by_label("Objet", exact=True)).to_have_value(f"Tr: {subject}")
    assert_accessible(page)
