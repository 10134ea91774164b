"""Messages that keep failing stop retrying and wait for IT support, who can retry them."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from accounts.models import AccountEvent, User
from mail.imap import close_all_sessions
from mail.models import SpooledMessage
from tests.conftest import (
    assert_accessible,
    build_message,
    inbox_subjects,
    make_person,
    phone_of,
    send_inbound,
    sign_in_with_code,
    unique_subject,
    wait_for,
)

pytestmark = pytest.mark.usefixtures("mail_stack")

LIST_URL = reverse("mail:dead_letters")


@pytest.fixture
def support(transactional_db):
    return make_person("support.demo", category=User.Category.IT_SUPPORT)


def dead_letter_while_dovecot_is_down(dovecot, to: str, subject: str) -> SpooledMessage:
    dovecot.stop()
    close_all_sessions()
    try:
        send_inbound(build_message(to=to, subject=subject))
        # DELIVERY_MAX_ATTEMPTS is 5 in the tests: retries after 1, 2, 4 and 8 seconds.
        return wait_for(
            lambda: SpooledMessage.objects.filter(status=SpooledMessage.Status.DEAD).first(),
            timeout=90,
        )
    finally:
        dovecot.start()


def test_only_it_support_sees_and_retries_dead_letters(client, prof, support, dovecot):
    subject = unique_subject("Réunion parents-professeurs")
    letter = dead_letter_while_dovecot_is_down(dovecot, prof.email, subject)
    assert letter.attempts == 5 and "LMTP unavailable" in letter.last_error
    assert letter.chunks.exists()  # the bytes are kept for the retry
    assert subject not in inbox_subjects("prof.demo")

    client.force_login(prof)
    assert client.get(LIST_URL).status_code == 403
    retry_url = reverse("mail:dead_letter_retry", args=[letter.id])
    assert client.post(retry_url).status_code == 403
    letter.refresh_from_db()
    assert letter.status == SpooledMessage.Status.DEAD

    client.force_login(support)
    page = client.get(LIST_URL, HTTP_ACCEPT_LANGUAGE="fr")
    assert page.status_code == 200
    assert "Courrier en échec" in page.text and prof.email in page.text
    assert "LMTP unavailable" in page.text

    response = client.post(retry_url, follow=True, HTTP_ACCEPT_LANGUAGE="fr")
    assert "Le message est de nouveau en cours de distribution." in response.text
    wait_for(lambda: subject in inbox_subjects("prof.demo"), timeout=60)
    # The worker records the outcome just after Dovecot has stored the message.
    wait_for(lambda: SpooledMessage.objects.get(pk=letter.pk).status != "pending", timeout=30)
    letter.refresh_from_db()
    assert letter.status == SpooledMessage.Status.DELIVERED and letter.attempts == 1
    event = AccountEvent.objects.get(kind=AccountEvent.Kind.SUPPORT_ACTION)
    assert event.actor == support and event.details["spool_id"] == str(letter.id)

    # A second «Réessayer» (another tab, a double click) changes nothing.
    response = client.post(retry_url, follow=True, HTTP_ACCEPT_LANGUAGE="fr")
    assert "déjà relancé" in response.text
    assert AccountEvent.objects.filter(kind=AccountEvent.Kind.SUPPORT_ACTION).count() == 1


@pytest.mark.browser
def test_dead_letter_page_in_the_browser(live_server, page, prof, support, dovecot):
    subject = unique_subject("Sortie au musée")
    dead_letter_while_dovecot_is_down(dovecot, prof.email, subject)
    page.goto(f"{live_server.url}{LIST_URL}")
    sign_in_with_code(page, "support.demo", phone_of(support))
    expect(page.get_by_role("heading", level=1)).to_have_text("Courrier en échec")
    assert_accessible(page)
    page.get_by_role("button", name=f"Réessayer le message pour {prof.email}").click()
    expect(page.get_by_text("Le message est de nouveau en cours de distribution.")).to_be_visible()
    expect(page.get_by_text("Aucun message en attente")).to_be_visible()
    wait_for(lambda: subject in inbox_subjects("prof.demo"), timeout=60)
