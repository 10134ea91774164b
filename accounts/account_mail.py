"""Mail about one's own account (recovery codes, warnings), sent through our own gateway.

The mail app sends it: the task is queued by name, so identity depends on no other app."""

import zoneinfo
from contextlib import contextmanager
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate, make_msgid

from django.conf import settings
from django.utils import timezone, translation

from accounts.models import Preferences
from convergence.queueing import enqueue_on_commit


def language_of(user) -> str:
    return _preferences_of(user)[0]


def _preferences_of(user) -> tuple[str, str]:
    stored = Preferences.objects.filter(user=user).values_list("language", "time_zone").first()
    return stored or (settings.LANGUAGE_CODE, settings.TIME_ZONE)


@contextmanager
def in_language_of(user):
    """Notices and mail are read by the account's owner, not by whoever caused them: their
    language, and their time zone for the dates they contain."""
    language, time_zone = _preferences_of(user)
    try:
        zone = zoneinfo.ZoneInfo(time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    with translation.override(language), timezone.override(zone):
        yield


def build(*, to: list[str], subject: str, body: str) -> bytes:
    message = EmailMessage()
    message["From"] = f"Convergence <{settings.SYSTEM_MAIL_FROM}>"
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=settings.MAIL_DOMAIN)
    # RFC 3834: no vacation reply or other automatic answer to this message.
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body)
    return message.as_bytes(policy=SMTP)


def queue(*, to: list[str], subject: str, body: str) -> None:
    """Sent by the worker once the transaction commits: the page answers at the same speed
    whether or not a message leaves (nothing to learn from the timing)."""
    enqueue_on_commit("accounts.tasks.send_account_mail", to, str(subject), str(body))
