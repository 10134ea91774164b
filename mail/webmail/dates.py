"""«1 oct. 2026 08:26», «aujourd'hui 14:05», «hier 18:30»: every date the webmail shows of a
message, in the reader's time zone (the preferences' one, activated by the middleware).

A list shows fifty dates: ``DateLabels`` works out the zone, today and the month names once
per page, where Django's ``date`` filter parses its format string for every date."""

from datetime import datetime

from django.utils import timezone
from django.utils.dates import MONTHS_AP
from django.utils.translation import gettext as _

_DAYS = {
    0: lambda: _("today %(time)s"),
    -1: lambda: _("yesterday %(time)s"),
    1: lambda: _("tomorrow %(time)s"),
}


class DateLabels:
    """The labels of one page: made in the request, for its language and time zone."""

    def __init__(self):
        self._zone = timezone.get_current_timezone()
        self._today = timezone.localdate()
        self._months: dict[int, str] = {}
        self._days: dict[int, str] = {}

    def local(self, value: datetime) -> datetime:
        return value.astimezone(self._zone) if timezone.is_aware(value) else value

    def label(self, value: datetime | None) -> str:
        if not value:
            return ""
        local = self.local(value)
        time = f"{local.hour:02d}:{local.minute:02d}"
        days = (local.date() - self._today).days
        if -1 <= days <= 1:  # the words translated once per page, as the months
            word = self._days.get(days)
            if word is None:
                word = self._days[days] = _DAYS[days]()
            return word % {"time": time}
        # Django's abbreviated months («janv.», «oct.», «déc.») in the reader's language,
        # as its "j N Y H:i" would write them.
        month = self._months.get(local.month)
        if month is None:
            month = self._months[local.month] = str(MONTHS_AP[local.month])
        return f"{local.day} {month} {local.year:04d} {time}"

    def iso(self, value: datetime | None) -> str:
        """What Django's ``date:'c'`` writes, for <time datetime>."""
        return self.local(value).isoformat() if value else ""

