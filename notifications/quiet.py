"""Quiet hours: no new-mail notice then, except from the senders the person marked urgent.
Public holidays (jours fériés) are quiet all day, like weekends, for whoever keeps weekends
quiet."""

from datetime import datetime

from django.utils import timezone

from directory.school_calendar import is_public_holiday
from notifications.models import NotificationSettings


def in_quiet_hours(preferences: NotificationSettings, moment: datetime, tz=None) -> bool:
    local = timezone.localtime(moment, tz)
    if preferences.quiet_weekends and (local.isoweekday() >= 6
                                       or is_public_holiday(local.date())):  # fmt: skip
        return True
    start, end, now = preferences.quiet_start, preferences.quiet_end, local.time()
    if start == end:
        return False
    if start < end:
        return start <= now < end
    return now >= start or now < end  # across midnight, like the default 18 h – 8 h


def may_notify(preferences: NotificationSettings, sender: str, moment: datetime) -> bool:
    if not preferences.in_page:
        return False
    if sender.lower() in preferences.urgent_addresses:
        return True
    return not in_quiet_hours(preferences, moment)
