"""«1 oct. 2026 08:26», «aujourd'hui 14:05», «hier 18:30»: every date the webmail shows of a
message, in the reader's time zone (the preferences' one, activated by the middleware)."""

from datetime import datetime, timedelta

from django import template
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def mail_date(value: datetime | None) -> str:
    if not value:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    today = timezone.localdate()
    time = dateformat.format(local, "H:i")
    if local.date() == today:
        return _("today %(time)s") % {"time": time}
    if local.date() == today - timedelta(days=1):
        return _("yesterday %(time)s") % {"time": time}
    if local.date() == today + timedelta(days=1):
        return _("tomorrow %(time)s") % {"time": time}
    # N: Django's abbreviated months («janv.», «oct.», «déc.») in the reader's language.
    return dateformat.format(local, "j N Y H:i")
