"""Reminders of events created anywhere (web or phone): the index knows when the next one is
due; a beat job sends it once, as an in-app notice and by mail, quiet hours respected."""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from icalendar import Calendar

from accounts import account_mail
from accounts.notices import notify
from calendar_app import ical, privacy
from calendar_app.models import IndexedEvent, SentReminder
from dav.client import DavNotFound, dav_session
from notifications.models import NotificationSettings
from notifications.quiet import in_quiet_hours

logger = logging.getLogger(__name__)
HORIZON = timedelta(days=400)  # a reminder further away is found when the index is refreshed
LATE = timedelta(hours=1)  # after an outage, reminders older than this are dropped, not sent


@dataclass(frozen=True)
class Due:
    occurrence: ical.Occurrence
    minutes: int
    fire_at: datetime


def _as_datetime(value) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.combine(value, datetime.min.time(), ical.local_zone())


def reminders_between(text: str | Calendar, after: datetime, until: datetime) -> list[Due]:
    """Every (occurrence, reminder) of the resource (its text, or parsed) firing in
    (after, until]."""
    found = []
    longest = 0
    try:
        parsed = ical.as_calendar(text)
    except ical.BadCalendarData:
        return []
    for event in parsed.walk("VEVENT"):
        longest = max([longest, *ical._reminders(event)])
    if not longest:
        return []
    occurrences = ical.expand(parsed, after, until + timedelta(minutes=longest, seconds=1),
                              calendar="", href="", etag="", cap=500)  # fmt: skip
    for occurrence in occurrences:
        start = _as_datetime(occurrence.start)
        for minutes in occurrence.reminders:
            fire_at = start - timedelta(minutes=minutes)
            if after < fire_at <= until:
                found.append(Due(occurrence, minutes, fire_at))
    return sorted(found, key=lambda d: d.fire_at)


def next_reminder(text: str | Calendar, after: datetime) -> datetime | None:
    upcoming = reminders_between(text, after, after + HORIZON)
    return upcoming[0].fire_at.astimezone(UTC) if upcoming else None


def send_due_reminders(now: datetime | None = None) -> int:
    """The beat job: every index row whose next reminder is due; returns how many were sent."""
    now = now or timezone.now()
    sent = 0
    rows = IndexedEvent.objects.filter(next_reminder_at__lte=now).select_related("owner")
    for row in rows[:500]:
        try:
            with dav_session(row.owner.username) as store:
                text = store.get(row.collection, row.href).text
        except DavNotFound:
            row.delete()  # gone from the store; the hook's task would have said so too
            continue
        for due in reminders_between(text, row.next_reminder_at - timedelta(seconds=1), now):
            if now - due.fire_at <= LATE and _record_once(row, due):
                _tell(row.owner, row, due, now)
                sent += 1
        row.next_reminder_at = next_reminder(text, now)
        row.save(update_fields=["next_reminder_at"])
    return sent


def _record_once(row: IndexedEvent, due: Due) -> bool:
    key = due.occurrence.recurrence_id or ical.recurrence_key(due.occurrence.start)
    try:
        with transaction.atomic():
            SentReminder.objects.create(owner=row.owner, uid=row.uid, occurrence=key,
                                        minutes_before=due.minutes)  # fmt: skip
    except IntegrityError:
        return False
    return True


def _tell(user, row: IndexedEvent, due: Due, now: datetime) -> None:
    """A notice always; a mail too, except in the person's quiet hours (right to disconnect),
    unless the event itself is in them: then the person is working at that time."""
    occurrence = privacy.occurrence_for(user, row.owner, due.occurrence)
    link = reverse("calendar_app:event", args=[row.collection, row.href])
    if occurrence.recurrence_id:
        link += f"?occurrence={occurrence.recurrence_id}"
    with account_mail.in_language_of(user):
        when = formats.date_format(timezone.localtime(_as_datetime(occurrence.start)),
                                   "l j F Y, H:i") if not occurrence.all_day else (
            formats.date_format(occurrence.start, "l j F Y"))  # fmt: skip
        title = _("Reminder: %(title)s") % {"title": occurrence.title or _("(no title)")}
        body = _("%(when)s%(place)s.") % {
            "when": when, "place": f" — {occurrence.location}" if occurrence.location else ""}
        notify(user, title, body, link=link, link_text=_("See the event"))
        settings = NotificationSettings.of(user)
        quiet_now = in_quiet_hours(settings, now)
        working_then = not occurrence.all_day and in_quiet_hours(
            settings, _as_datetime(occurrence.start))  # fmt: skip
        if quiet_now and not working_then:
            return
        account_mail.queue(to=[user.email], subject=title, body=f"{title}\n\n{body}\n")
