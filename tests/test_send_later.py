"""«Envoi différé» and the right to disconnect, against the real gateway, worker and Dovecot."""

import zoneinfo
from datetime import datetime, timedelta

import pytest
import redis
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import Preferences
from mail.models import OutgoingMessage
from mail.outgoing.working_hours import hold_until, next_working_start
from tests.conftest import inbox_subjects, unique_subject, wait_for, wait_for_runs
from tests.test_compose import compose, folder_subjects

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def paris(*args) -> datetime:
    return datetime(*args, tzinfo=PARIS)


def local_input(moment: datetime) -> str:
    """What the browser's date and time picker sends (seconds allowed with step=1)."""
    return timezone.localtime(moment, PARIS).strftime("%Y-%m-%dT%H:%M:%S")


# --- Working hours, without servers ------------------------------------------------------


@pytest.fixture
def academie_hours(settings):
    settings.WORKING_HOURS = "08:00-18:00"
    settings.WORKING_DAYS = [1, 2, 3, 4, 5]
    with timezone.override(PARIS):
        yield


def test_friday_evening_to_a_colleague_waits_for_monday_morning(academie_hours):
    friday_evening = paris(2026, 3, 6, 19, 30)
    assert hold_until(["louis.bernard@ac-demo.test"], friday_evening) == paris(2026, 3, 9, 8, 0)


def test_early_morning_waits_for_the_same_morning(academie_hours):
    assert next_working_start(paris(2026, 3, 10, 6, 15)) == paris(2026, 3, 10, 8, 0)


def test_no_hold_in_working_hours_or_for_outside_recipients(academie_hours):
    assert hold_until(["louis.bernard@ac-demo.test"], paris(2026, 3, 10, 10, 0)) is None
    assert hold_until(["parent@example.org"], paris(2026, 3, 7, 23, 0)) is None


def test_empty_working_hours_turn_the_hold_off(academie_hours, settings):
    settings.WORKING_HOURS = ""
    assert hold_until(["louis.bernard@ac-demo.test"], paris(2026, 3, 7, 23, 0)) is None


# --- With the real stack ------------------------------------------------------------------


@pytest.fixture
def always_working(settings, prof):
    settings.WORKING_HOURS = ""
    Preferences.objects.create(user=prof, undo_send_seconds=0)


@pytest.fixture
def outside_working_hours(settings, prof):
    """Only tomorrow is a working day: now is outside working hours, whatever the clock."""
    tomorrow = timezone.localtime(timezone.now(), PARIS) + timedelta(days=1)
    settings.WORKING_HOURS = "08:00-18:00"
    settings.WORKING_DAYS = [tomorrow.isoweekday()]
    Preferences.objects.create(user=prof, undo_send_seconds=0)
    return datetime.combine(tomorrow.date(), datetime.min.time().replace(hour=8), tzinfo=PARIS)


@pytest.mark.usefixtures("mail_stack", "always_working")
def test_scheduled_message_survives_a_worker_restart_and_is_sent_once(
    client, prof, colleague, worker
):
    client.force_login(prof)
    subject = unique_subject("Rappel sortie scolaire")
    # Far enough ahead that a loaded machine cannot reach it before the worker has stopped;
    # the test brings the moment forward below.
    due = timezone.now() + timedelta(minutes=10)
    response = compose(
        client, prof, to=colleague.email, subject=subject, body="Départ 8 h.",
        send_at=local_input(due),
    )  # fmt: skip
    assert response.status_code == 302
    outgoing = OutgoingMessage.objects.get()
    assert outgoing.schedule == OutgoingMessage.Schedule.CHOSEN
    assert abs((outgoing.send_after - due).total_seconds()) < 1
    worker.stop()
    try:
        # Nothing of it is in the broker: the database alone must bring it back. Its moment
        # comes while no worker runs.
        redis.Redis.from_url(settings.REDIS_URL).flushdb()
        OutgoingMessage.objects.update(send_after=timezone.now())
        assert subject not in inbox_subjects("collegue.demo")
        outgoing.refresh_from_db()
        assert outgoing.status == OutgoingMessage.Status.WAITING
    finally:
        worker.start()
    wait_for(lambda: subject in inbox_subjects("collegue.demo"))
    wait_for(lambda: OutgoingMessage.objects.get().status == OutgoingMessage.Status.SENT)
    wait_for_runs("mail.tasks.send_due_messages", 3)  # none of these sweeps sends it again
    assert inbox_subjects("collegue.demo").count(subject) == 1
    assert folder_subjects(prof, "Sent").count(subject) == 1
    assert OutgoingMessage.objects.get().attempts == 1


@pytest.mark.usefixtures("mail_stack", "always_working")
def test_scheduled_message_can_be_changed_or_cancelled_from_to_be_sent(client, prof, colleague):
    client.force_login(prof)
    subject = unique_subject("Conseil de classe")
    later = timezone.now() + timedelta(days=2)
    compose(client, prof, to=colleague.email, subject=subject, body="Ordre du jour",
            send_at=local_input(later))  # fmt: skip
    outgoing = OutgoingMessage.objects.get()
    page = client.get(reverse("mail:outbox"))
    assert "Programmé pour le" in page.text and "Envoyer maintenant" in page.text

    changed = client.post(reverse("mail:cancel", args=[outgoing.id]))
    reopened = client.get(changed.url)
    assert reopened.context["form"].initial["send_at"] == local_input(later)
    assert reopened.context["form"].initial["subject"] == subject

    compose(client, prof, to=colleague.email, subject=subject, body="Ordre du jour",
            send_at=local_input(later))  # fmt: skip
    again = OutgoingMessage.objects.get(status=OutgoingMessage.Status.WAITING)
    kept = client.post(reverse("mail:cancel", args=[again.id]), {"ensuite": "garder"})
    assert kept.url == reverse("mail:outbox")
    page = client.get(kept.url)
    assert "gardé dans vos brouillons" in page.text and subject not in page.text
    assert subject in folder_subjects(prof, "Drafts")
    assert subject not in inbox_subjects("collegue.demo")


@pytest.mark.usefixtures("mail_stack")
def test_past_date_is_refused_in_french_and_nothing_is_lost(client, prof, always_working):
    client.force_login(prof)
    response = compose(client, prof, to="a@ac-demo.test", subject="Hier", body="Texte gardé",
                       send_at=local_input(timezone.now() - timedelta(hours=2)))  # fmt: skip
    assert response.status_code == 200
    assert "déjà passée" in response.text and "Texte gardé" in response.text
    assert not OutgoingMessage.objects.exists()


@pytest.mark.usefixtures("mail_stack")
def test_held_outside_working_hours_then_sent_now(client, prof, colleague, outside_working_hours):
    client.force_login(prof)
    page = client.get(reverse("mail:compose"))
    assert "en dehors des heures de travail" in page.text
    assert "Envoyer quand même maintenant : c’est urgent" in page.text

    subject = unique_subject("Remplacement de jeudi")
    response = compose(client, prof, to=colleague.email, subject=subject, body="Pouvez-vous ?")
    held = OutgoingMessage.objects.get()
    assert held.schedule == OutgoingMessage.Schedule.HELD
    assert held.send_after == outside_working_hours
    outbox = client.get(response.url)
    assert "est retenu jusqu’au" in outbox.text and "droit à la déconnexion" in outbox.text
    wait_for_runs("mail.tasks.send_due_messages", 2)  # the sweeps leave it alone
    assert subject not in inbox_subjects("collegue.demo")
    held.refresh_from_db()
    assert held.status == OutgoingMessage.Status.WAITING and held.attempts == 0

    released = client.post(reverse("mail:send_now", args=[held.id]))
    assert released.status_code == 302
    wait_for(lambda: subject in inbox_subjects("collegue.demo"))
    again = client.post(reverse("mail:send_now", args=[held.id]), follow=True)
    assert "Trop tard" in again.text
    wait_for_runs("mail.tasks.send_due_messages", 2)
    assert inbox_subjects("collegue.demo").count(subject) == 1
    assert OutgoingMessage.objects.get(id=held.id).attempts == 1


@pytest.mark.usefixtures("mail_stack")
def test_urgent_message_leaves_at_once_and_outside_mail_is_not_held(
    client, prof, colleague, outside_working_hours
):
    client.force_login(prof)
    urgent = unique_subject("Urgent : alerte intrusion")
    compose(client, prof, to=colleague.email, subject=urgent, body="Confinement.", send_now="on")
    outside = unique_subject("Réponse aux parents")
    compose(client, prof, to="parents@example.org", subject=outside, body="Bonsoir.")
    wait_for(lambda: urgent in inbox_subjects("collegue.demo"))
    assert not OutgoingMessage.objects.exclude(schedule="").exists()
    wait_for(lambda: OutgoingMessage.objects.filter(status="sent").count() == 2)
