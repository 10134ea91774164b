"""«Annuler» after moving or deleting messages, in the browser: they come back where they were."""

import pytest
from playwright.sync_api import expect

from tests.conftest import (
    assert_accessible,
    build_message,
    deliver,
    sign_in_to_inbox,
    unique_subject,
)
from tests.test_compose import folder_subjects

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("mail_stack")]


def test_undo_a_deletion_from_the_list(live_server, page, prof):
    subjects = [unique_subject("Sortie"), unique_subject("Cantine")]
    for subject in subjects:
        deliver(prof, build_message(to=prof.email, subject=subject))
    sign_in_to_inbox(page, live_server)
    for subject in subjects:
        page.get_by_role("checkbox", name=f"Cocher « {subject} »").check()
    page.get_by_role("button", name="Supprimer", exact=True).click()

    notice = page.get_by_role("status").filter(has_text="2 messages supprimés.")
    expect(notice).to_be_visible()
    assert_accessible(page)
    for subject in subjects:
        expect(page.get_by_role("link", name=subject)).to_have_count(0)
        assert subject in folder_subjects(prof, "Trash")
    notice.get_by_role("button", name="Annuler").click()

    expect(page.get_by_text("2 messages remis à leur place.")).to_be_visible()
    for subject in subjects:
        expect(page.get_by_role("link", name=subject)).to_be_visible()
        assert subject not in folder_subjects(prof, "Trash")


def test_undo_a_move_from_the_message_page(live_server, page, prof):
    subject = unique_subject("Bulletin")
    deliver(prof, build_message(to=prof.email, subject=subject))
    page.clock.install()  # time flows as usual until the test moves it on
    sign_in_to_inbox(page, live_server)
    page.get_by_role("link", name=subject).click()
    page.get_by_role("button", name="Archiver").click()

    notice = page.get_by_role("status").filter(has_text="1 message archivé.")
    expect(notice).to_be_visible()
    assert subject in folder_subjects(prof, "Archive")
    notice.get_by_role("button", name="Annuler").click()
    expect(page.get_by_text("1 message remis à sa place.")).to_be_visible()
    expect(page.get_by_role("link", name=subject)).to_be_visible()
    assert subject not in folder_subjects(prof, "Archive")

    # Left alone, the offer goes after a few seconds and the message stays where it was put.
    page.get_by_role("checkbox", name=f"Cocher « {subject} »").check()
    page.get_by_role("button", name="Archiver", exact=True).click()
    notice = page.get_by_role("status").filter(has_text="1 message archivé.")
    expect(notice).to_be_visible()
    page.clock.fast_forward(11_000)
    expect(notice).to_have_count(0)
    assert subject in folder_subjects(prof, "Archive")
