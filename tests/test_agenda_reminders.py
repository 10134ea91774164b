"""Reminders: known from the index (rebuilt from the store for events made anywhere), sent
once at the right minute as a notice and a mail, quiet hours respected."""

import uuid
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from accounts import account_mail
from accounts.models import Notice
from calendar_app import reminders
from calendar_app.index import reindex_collection
from calendar_app.models import IndexedEvent
from tests.agenda_helpers import PARIS, empty_store, phone, vevent  # noqa: F401 - fixture
from tests.conftest import PASSWORD, wait_for

pytestmark = pytest.mark.usefixtures("empty_store")


@pytest.fixture
def mails(monkeypatch):
    sent = []
    monkeypatch.setattr(account_mail, "queue", lambda **mail: sent.append(mail))
    return sent


def _next(weekday: int, hour: int) -> datetime:
    """The next such weekday (0 = Monday) at least two days ahead, at ``hour`` in Paris."""
    day = timezone.localdate() + timedelta(days=2)
    day += timedelta(days=(weekday - day.weekday()) % 7)
    return datetime.combine(day, time(hour), PARIS)


def _create(client, start: datetime, minutes: str, **extra):
    end = start + timedelta(hours=1)
    data = {
        "title": "Conseil de classe 2nde B", "calendar": "personnel", "location": "Salle 104",
        "start_date": start.date().isoformat(), "start_time": start.strftime("%H:%M"),
        "end_date": end.date().isoformat(), "end_time": end.strftime("%H:%M"),
        "time_zone": "Europe/Paris", "busy": "busy", "privacy": "public",
        "reminders": [minutes], "frequency": "", "interval": "1", "ends": "never",
        "monthly_by": "date", **extra,
    }  # fmt: skip
    client.get("/agenda/semaine/")
    assert client.post("/agenda/evenement/nouveau/", data).status_code == 302
    reindex_collection("prof.demo", "personnel")
    return IndexedEvent.objects.get(owner__username="prof.demo")


def test_a_reminder_is_sent_once_at_its_minute(client, prof, mails):
    client.force_login(prof)
    start = _next(1, 10)  # a Tuesday, 10:00: working hours
    row = _create(client, start, "15")
    fire_at = start - timedelta(minutes=15)
    assert row.next_reminder_at == fire_at

    assert reminders.send_due_reminders(now=fire_at - timedelta(minutes=1)) == 0
    assert reminders.send_due_reminders(now=fire_at + timedelta(seconds=30)) == 1
    notice = Notice.objects.get(user=prof)
    assert notice.title == "Rappel : Conseil de classe 2nde B"
    assert "10:00" in notice.body and "Salle 104" in notice.body
    assert [m["to"] for m in mails] == [[prof.email]]
    assert reminders.send_due_reminders(now=fire_at + timedelta(minutes=1)) == 0  # once
    assert Notice.objects.filter(user=prof).count() == 1
    row.refresh_from_db()
    assert row.next_reminder_at is None


def test_a_weekly_event_reminds_every_week(client, prof, mails):
    client.force_login(prof)
    start = _next(2, 9)
    row = _create(client, start, "60", frequency="WEEKLY", weekdays=["WE"])
    assert reminders.send_due_reminders(now=start - timedelta(minutes=59)) == 1
    row.refresh_from_db()
    assert row.next_reminder_at == start + timedelta(weeks=1) - timedelta(hours=1)


def test_quiet_hours_keep_the_mail_but_not_the_notice(client, prof, mails):
    client.force_login(prof)
    start = _next(0, 10)  # Monday 10:00, reminded the day before: a Sunday, quiet by default
    _create(client, start, "1440")
    assert reminders.send_due_reminders(now=start - timedelta(days=1)) == 1
    assert Notice.objects.filter(user=prof, title__startswith="Rappel").exists()
    assert mails == []


def test_an_event_with_an_alarm_made_on_a_phone_gets_its_reminder(live_server, prof, worker,
                                                                   mails):  # fmt: skip
    from dav.client import dav_session

    with dav_session("prof.demo") as store:
        store.make_calendar("personnel", "Personnel", "#000091")
    start = _next(3, 14)
    alarm = "BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:x\r\nTRIGGER:-PT30M\r\nEND:VALARM\r\n"
    cal = phone(live_server, "prof.demo", PASSWORD).calendar(
        url=f"{live_server.url}/dav/prof.demo/personnel/")
    cal.add_event(vevent(f"{uuid.uuid4()}@phone", "Réunion équipe", start.replace(tzinfo=None),
                         (start + timedelta(hours=1)).replace(tzinfo=None), alarm))
    row = wait_for(lambda: IndexedEvent.objects.filter(owner=prof,
                                                       next_reminder_at__isnull=False).first())
    assert row.next_reminder_at == start - timedelta(minutes=30)
    assert reminders.send_due_reminders(now=row.next_reminder_at) == 1
