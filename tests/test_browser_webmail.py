"""The reading side in headless Chromium: images on demand, drag and drop, search, keyboard."""

import pytest
from playwright.sync_api import expect

from tests.conftest import (
    assert_accessible,
    build_message,
    deliver,
    html_message,
    inbox_subjects,
    sign_in_to_inbox,
    unique_subject,
)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("mail_stack")]


def test_html_message_with_blocked_then_allowed_images(
    live_server,
    page,
    prof,
    image_server,
    settings,
):
    settings.IMAGE_PROXY_ALLOW_PRIVATE = True
    base, hits = image_server
    subject = unique_subject("Lettre d'information")
    deliver(prof, html_message(prof.email, subject, base))
    sign_in_to_inbox(page, live_server)
    page.get_by_role("link", name=subject).click()

    frame = page.frame_locator("iframe.cv-body-frame")
    expect(frame.get_by_text("Camille")).to_be_visible()
    expect(page.get_by_text("1 image distante a été bloquée")).to_be_visible()
    assert not hits
    assert_accessible(page)

    page.get_by_role("link", name="Afficher les images").click()
    logo = page.frame_locator("iframe.cv-body-frame").get_by_alt_text("logo")
    expect(logo).to_be_visible()
    page.wait_for_function(
        "() => document.querySelector('iframe.cv-body-frame').contentDocument === null"
    )  # the frame is sandboxed: the page cannot reach into it, nor it into the page
    assert logo.evaluate("img => img.naturalWidth") == 1
    assert hits  # fetched through the proxy


def test_drag_a_message_onto_a_folder(live_server, page, prof):
    subject = unique_subject("À ranger")
    deliver(prof, build_message(to=prof.email, subject=subject))
    sign_in_to_inbox(page, live_server)
    row = page.locator("tr.cv-row", has_text=subject)
    row.drag_to(page.locator("a.cv-folder[data-folder='Archive']"))
    # A move and the list drawn again: longer than expect's 5 s on a CI machine under load.
    expect(page.get_by_text("1 message déplacé.")).to_be_visible(timeout=20_000)
    assert subject not in inbox_subjects("prof.demo")


def test_search_finds_a_word_in_a_body(live_server, page, prof):
    word = unique_subject("").strip()
    subject = unique_subject("Sortie")
    deliver(prof, build_message(to=prof.email, subject=subject, body=f"Le code est {word}."))
    sign_in_to_inbox(page, live_server)
    page.get_by_role("link", name="Rechercher dans tous les dossiers, recherche avancée").click()
    page.get_by_label("Mots").fill(word)
    page.get_by_role("button", name="Rechercher").last.click()
    expect(page.get_by_role("link", name=subject)).to_be_visible()
    expect(page.locator("#compte")).to_have_text("1 message trouvé")
    assert_accessible(page)
    page.get_by_label("Où chercher").select_option(label="Envoyés")  # one folder: not there
    page.get_by_role("button", name="Rechercher").last.click()
    expect(page.locator("#compte")).to_have_text("0 message trouvé")
    expect(page.get_by_label("Où chercher")).to_have_value("Sent")


def test_keyboard_only_through_the_list(live_server, page, prof):
    subjects = [unique_subject("Clavier A"), unique_subject("Clavier B")]
    for subject in subjects:
        deliver(prof, build_message(to=prof.email, subject=subject))
    sign_in_to_inbox(page, live_server)
    page.locator("body").focus()
    # The persona's inbox may hold older tests' mail (dated in the future, some): the cursor
    # is checked against the rows as listed, not against this test's subjects.
    listed = [t.strip() for t in page.locator("tr.cv-row a.cv-open").all_text_contents()]
    assert set(subjects) <= set(listed)
    page.keyboard.press("j")
    page.keyboard.press("j")
    assert page.evaluate("document.activeElement.textContent").strip() == listed[1]
    page.keyboard.press("k")
    chosen = page.evaluate("document.activeElement.textContent").strip()
    assert chosen == listed[0]
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(chosen)
    page.keyboard.press("a")  # archive from the message page
    expect(page.get_by_text("1 message archivé.")).to_be_visible()
    page.keyboard.press("?")
    expect(page.get_by_role("dialog")).to_be_visible()


def test_other_pages_pass_axe(live_server, page, prof):
    deliver(prof, build_message(to=prof.email, subject=unique_subject("Axe")))
    sign_in_to_inbox(page, live_server)
    box = prof.personal_mailbox.id
    for path in (
        f"/mail/boite/{box}/dossiers/",
        f"/mail/boite/{box}/dossier/INBOX/?vue=conversations",
        f"/mail/boite/{box}/dossiers/Archive/modifier/",
        "/compte/preferences/",
    ):
        page.goto(f"{live_server.url}{path}")
        expect(page.locator("main")).to_be_visible()
        assert_accessible(page)
