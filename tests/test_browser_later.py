"""In headless Chromium: writing a message for later, the right to disconnect, and the
new-mail notice that appears in the page without a reload."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Preferences
from mail.models import OutgoingMessage
from tests.conftest import (
    assert_accessible,
    build_message,
    deliver,
    inbox_subjects,
    sign_in_to_inbox,
    unique_subject,
    wait_for,
)
from tests.test_notifications import quiet_now
from tests.test_send_later import PARIS

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("mail_stack")]


def write(page, to: str, subject: str, text: str):
    if page.get_by_role("link", name="Écrire").count():
        page.get_by_role("link", name="Écrire").click()
    else:  # «À envoyer» has no side menu
        page.get_by_role("link", name="Retour à ma messagerie").click()
        page.get_by_role("link", name="Écrire").click()
    page.get_by_role("combobox", name="À Séparez les adresses par des virgules.").fill(to)
    page.get_by_label("Objet").fill(subject)
    page.locator(".ql-editor").type(text)


@pytest.mark.e2e
def test_write_for_later_then_send_it_now_from_to_be_sent(live_server, page, prof, colleague):
    Preferences.objects.create(user=prof, undo_send_seconds=0)
    sign_in_to_inbox(page, live_server)
    subject = unique_subject("Rappel : conseil pédagogique")
    write(page, colleague.email, subject, "N'oubliez pas vos propositions.")
    later = timezone.localtime(timezone.now() + timedelta(days=2), PARIS)
    later = later.replace(hour=9, minute=0, second=0, microsecond=0)
    page.get_by_label("Envoyer plus tard, le").fill(later.strftime("%Y-%m-%dT%H:%M"))
    assert_accessible(page)
    page.get_by_role("button", name="Envoyer", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("À envoyer")
    expect(page.get_by_role("status")).to_contain_text(f"« {subject} » sera envoyé le")
    row = page.get_by_role("row").filter(has_text=subject)
    expect(row).to_contain_text("Programmé pour le")
    assert_accessible(page)
    assert OutgoingMessage.objects.get().send_after == later
    assert subject not in inbox_subjects("collegue.demo")

    row.get_by_role("button", name="Envoyer maintenant").click()
    expect(page.get_by_text("Le message part maintenant.")).to_be_visible()
    wait_for(lambda: subject in inbox_subjects("collegue.demo"))


def test_outside_working_hours_the_writer_sees_the_hold_and_may_send_at_once(
    live_server, page, prof, colleague, settings
):
    tomorrow = timezone.localtime(timezone.now(), PARIS) + timedelta(days=1)
    settings.WORKING_HOURS = "08:00-18:00"
    settings.WORKING_DAYS = [tomorrow.isoweekday()]
    Preferences.objects.create(user=prof, undo_send_seconds=0)
    sign_in_to_inbox(page, live_server)
    held = unique_subject("Question sur l'emploi du temps")
    write(page, colleague.email, held, "Rien d'urgent.")
    expect(page.get_by_text("Il est en dehors des heures de travail.")).to_be_visible()
    page.get_by_role("button", name="Envoyer", exact=True).click()
    row = page.get_by_role("row").filter(has_text=held)
    expect(row).to_contain_text("Retenu jusqu’au")

    urgent = unique_subject("Urgent : salle inondée")
    write(page, colleague.email, urgent, "Cours déplacé en salle 12.")
    page.get_by_text("Envoyer quand même maintenant : c’est urgent").click()  # DSFR: the label
    expect(page.get_by_label("Envoyer quand même maintenant : c’est urgent")).to_be_checked()
    page.get_by_role("button", name="Envoyer", exact=True).click()
    wait_for(lambda: urgent in inbox_subjects("collegue.demo"))
    assert held not in inbox_subjects("collegue.demo")


@pytest.mark.e2e
def test_new_mail_notice_appears_in_the_page(live_server, page, prof, settings):
    settings.NOTICE_POLL_SECONDS = 1
    quiet_now(prof, quiet=False)
    with page.expect_response(lambda response: "/notifications/nouveaux/" in response.url):
        sign_in_to_inbox(page, live_server)  # the page has asked once: it knows where the INBOX is
    subject = unique_subject("Absence de Léa demain")
    deliver(prof, build_message(to=prof.email, subject=subject))
    notice = page.locator(".cv-notices")
    expect(notice).to_contain_text(f"Nouveau message de Famille Durand : « {subject} »")
    assert_accessible(page)
    notice.get_by_role("link", name="Le lire").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(subject)

    page.goto(f"{live_server.url}/notifications/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    expect(page.get_by_label("Début des heures calmes")).to_be_visible()
    assert_accessible(page)
