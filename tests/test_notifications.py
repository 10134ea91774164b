"""New-mail notices, quiet hours and urgent senders, and the daily summary by mail."""

import uuid
import zoneinfo
from datetime import datetime, time, timedelta
from email import message_from_bytes, policy

import pytest
from django.urls import reverse
from django.utils import timezone

from mail.imap import imap_session
from mail.models import OutgoingMessage
from notifications.digest import send_due_digests
from notifications.models import NotificationSettings
from notifications.quiet import in_quiet_hours, may_notify
from tests.conftest import (
    build_message,
    deliver,
    inbox_subjects,
    make_person,
    uid_of,
    unique_subject,
    wait_for,
)
from tests.test_compose import folder_subjects

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=PARIS)


# --- Quiet hours, without servers --------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "quiet"),
    [
        (at(2026, 3, 10, 19, 0), True),  # Tuesday evening
        (at(2026, 3, 10, 7, 59), True),  # before 8 h
        (at(2026, 3, 10, 8, 0), False),
        (at(2026, 3, 10, 17, 59), False),
        (at(2026, 3, 14, 11, 0), True),  # Saturday
        (at(2026, 3, 15, 11, 0), True),  # Sunday
    ],
)
def test_default_quiet_hours_are_evenings_nights_and_weekends(moment, quiet):
    assert in_quiet_hours(NotificationSettings(), moment, PARIS) is quiet


def test_quiet_hours_can_be_changed():
    lunch = NotificationSettings(quiet_start=time(12), quiet_end=time(14), quiet_weekends=False)
    assert in_quiet_hours(lunch, at(2026, 3, 10, 12, 30), PARIS)
    assert not in_quiet_hours(lunch, at(2026, 3, 14, 19, 0), PARIS)


def test_urgent_senders_get_through_quiet_hours():
    preferences = NotificationSettings(urgent_senders="Principal@ac-demo.test\n")
    sunday = timezone.now().replace(year=2026, month=3, day=15, hour=10)
    assert may_notify(preferences, "principal@ac-demo.test", sunday)
    assert not may_notify(preferences, "famille@example.org", sunday)
    preferences.in_page = False
    assert not may_notify(preferences, "principal@ac-demo.test", sunday)


# --- The notices the page polls, against Dovecot ------------------------------------------


def poll(client, mailbox_id, after=None):
    params = {"boite": mailbox_id} | ({"apres": after} if after is not None else {})
    response = client.get(reverse("notifications:new_mail"), params)
    assert response.status_code == 200
    return response.json()


def quiet_now(user, quiet: bool, urgent: str = "") -> None:
    """Quiet hours around the present moment, or away from it, whatever the clock says."""
    now = timezone.localtime(timezone.now(), PARIS)
    start = (now - timedelta(hours=1)).time() if quiet else (now + timedelta(hours=1)).time()
    end = (now + timedelta(hours=1)).time() if quiet else (now + timedelta(hours=2)).time()
    NotificationSettings.objects.update_or_create(
        user=user,
        defaults={
            "quiet_start": start, "quiet_end": end, "quiet_weekends": False,
            "urgent_senders": urgent,
        },
    )  # fmt: skip


@pytest.mark.usefixtures("mail_stack")
def test_new_mail_is_told_outside_quiet_hours(client, prof):
    client.force_login(prof)
    box = prof.personal_mailbox.id
    quiet_now(prof, quiet=False)
    client.get(reverse("mail:folder", args=[box, "INBOX"]))  # the pooled connection has it open
    start = poll(client, box)
    assert start["notices"] == []
    subject = unique_subject("Absence de Léa")
    deliver(prof, build_message(to=prof.email, subject=subject))
    answer = poll(client, box, start["last"])
    assert [(n["sender"], n["subject"]) for n in answer["notices"]] == [("Famille Durand", subject)]
    assert answer["notices"][0]["url"].endswith(f"/INBOX/{uid_of(prof, subject)}/")
    assert poll(client, box, answer["last"])["notices"] == []  # told once


@pytest.mark.usefixtures("mail_stack")
def test_quiet_hours_let_only_urgent_senders_through(client, prof):
    client.force_login(prof)
    box = prof.personal_mailbox.id
    quiet_now(prof, quiet=True, urgent="principal.demo@ac-demo.test")
    start = poll(client, box)
    ordinary = unique_subject("Menu de la cantine")
    urgent = unique_subject("Alerte : exercice incendie")
    deliver(prof, build_message(to=prof.email, subject=ordinary))
    principal = "principal.demo@ac-demo.test"
    deliver(prof, build_message(to=prof.email, subject=urgent, sender=principal))
    answer = poll(client, box, start["last"])
    assert [n["subject"] for n in answer["notices"]] == [urgent]
    assert answer["last"] == uid_of(prof, urgent)


@pytest.mark.usefixtures("mail_stack")
def test_no_notice_about_someone_elses_mailbox(client, prof, colleague):
    client.force_login(colleague)
    response = client.get(reverse("notifications:new_mail"), {"boite": prof.personal_mailbox.id})
    assert response.status_code == 404


@pytest.mark.usefixtures("mail_stack")
def test_preferences_refuse_a_bad_urgent_address_in_french(client, prof):
    client.force_login(prof)
    response = client.post(
        reverse("notifications:preferences"),
        {"in_page": "on", "quiet_start": "18:00", "quiet_end": "08:00",
         "urgent_senders": "principal@ac-demo.test\npas une adresse", "digest_hour": "7"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "« pas une adresse » n’est pas une adresse électronique valide" in response.text
    saved = client.post(
        reverse("notifications:preferences"),
        {"in_page": "on", "quiet_start": "19:00", "quiet_end": "07:30", "digest": "on",
         "digest_folders": ["INBOX"], "digest_hour": "6",
         "urgent_senders": "Principal@ac-demo.test"},
    )  # fmt: skip
    assert saved.status_code == 302
    row = NotificationSettings.objects.get(user=prof)
    assert row.quiet_start == time(19) and row.urgent_addresses == {"principal@ac-demo.test"}
    assert row.digest and row.digest_folders == ["INBOX"]


# --- The daily summary --------------------------------------------------------------------


@pytest.mark.usefixtures("mail_stack")
def test_daily_summary_lists_unread_mail_once_a_day():
    # A mailbox of its own: the other tests leave unread mail in prof.demo's.
    prof = make_person(f"resume.{uuid.uuid4().hex[:8]}", first_name="Camille")
    with imap_session(prof.username) as box:
        box.create_folder("Projets")
    NotificationSettings.objects.create(
        user=prof, digest=True, digest_hour=7, digest_folders=["INBOX", "Projets"]
    )
    unread = unique_subject("Sortie au musée")
    read = unique_subject("Déjà lu")
    deliver(prof, build_message(to=prof.email, subject=unread))
    deliver(prof, build_message(to=prof.email, subject=read))
    with imap_session(prof.username) as box:
        box.set_flag("INBOX", [uid_of(prof, read)], "seen", True)

    early = at(2026, 3, 10, 6, 30)
    assert send_due_digests(early) == 0  # before the chosen hour
    morning = at(2026, 3, 10, 7, 5)
    assert send_due_digests(morning) == 1
    assert send_due_digests(morning + timedelta(hours=3)) == 0  # once a day
    digest_subject = "Vos messages non lus — 10 mars 2026"
    wait_for(lambda: digest_subject in inbox_subjects(prof.username))
    digest = OutgoingMessage.objects.get(kind=OutgoingMessage.Kind.DIGEST)
    text = body_of(digest)
    assert "Bonjour Camille," in text and "Vous avez 1 message non lu." in text
    assert unread in text and read not in text and "Projets" not in text
    assert digest_subject not in folder_subjects(prof, "Sent")

    # The next day the summary itself, unread, is not listed again.
    assert send_due_digests(morning + timedelta(days=1)) == 1
    second = body_of(OutgoingMessage.objects.filter(kind="digest").latest("id"))
    assert digest_subject not in second and "Vous avez 1 message non lu." in second


def body_of(outgoing) -> str:
    return message_from_bytes(bytes(outgoing.raw), policy=policy.default).get_content()
