"""«Droit à la déconnexion»: the académie's working hours, and when a held message may leave.

WORKING_HOURS ("08:00-18:00") and WORKING_DAYS (ISO weekdays, "1,2,3,4,5") come from the
settings; an empty WORKING_HOURS turns the hold off. Public holidays (jours fériés,
directory.school_calendar) are not working days. Times are read in the current time zone
(the sender's, activated from their preferences for each request).
"""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.utils import timezone

from directory.school_calendar import is_public_holiday


def _parse_hours(value: str) -> tuple[time, time] | None:
    if not value.strip():
        return None
    start, _, end = value.partition("-")
    return time.fromisoformat(start.strip()), time.fromisoformat(end.strip())


def working_hours() -> tuple[time, time] | None:
    return _parse_hours(settings.WORKING_HOURS)


def working_days() -> set[int]:
    return {int(day) for day in settings.WORKING_DAYS if 1 <= int(day) <= 7}


def is_colleague(address: str) -> bool:
    return address.rpartition("@")[2].lower() in settings.MAIL_DOMAINS


def is_working_time(moment: datetime) -> bool:
    hours = working_hours()
    if hours is None:
        return True
    local = timezone.localtime(moment)
    return (local.isoweekday() in working_days() and not is_public_holiday(local.date())
            and hours[0] <= local.time() < hours[1])  # fmt: skip


def next_working_start(moment: datetime) -> datetime:
    """The next working morning after ``moment`` (today's, if it is still to come), never
    on a public holiday."""
    start = working_hours()[0]
    days = working_days() or set(range(1, 8))
    local = timezone.localtime(moment)
    for offset in range(15):  # a week, and the holidays it may hold
        day = local.date() + timedelta(days=offset)
        if day.isoweekday() not in days or is_public_holiday(day):
            continue
        candidate = timezone.make_aware(datetime.combine(day, start), local.tzinfo)
        if candidate > local:
            return candidate
    raise ValueError("no working day in WORKING_DAYS")  # unreachable with at least one day


def hold_until(recipients: list[str], moment: datetime) -> datetime | None:
    """When a message due at ``moment`` to these recipients should leave instead, or None
    when it may leave then (working time, or no colleague among the recipients)."""
    if is_working_time(moment) or not any(is_colleague(a) for a in recipients):
        return None
    return next_working_start(moment)
