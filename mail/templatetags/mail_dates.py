"""{{ value|mail_date }}: a message's date as the webmail shows it (mail/webmail/dates.py)."""

from datetime import datetime

from django import template

from mail.webmail.dates import DateLabels

register = template.Library()


@register.filter
def mail_date(value: datetime | None) -> str:
    return DateLabels().label(value)
