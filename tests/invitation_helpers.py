"""Helpers of the invitation tests: the iMIP mails people received, or that left for
outside (captured in the spool in development), read back as iTIP."""

import re
from datetime import datetime, timedelta
from email import policy
from email.parser import BytesParser
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from calendar_app import itip
from mail.imap import imap_session
from mail.models import SpooledMessage
from mail.pipeline.spool import read_spooled
from tests.agenda_helpers import PARIS


def next_tuesday(hour: int = 10) -> datetime:
    day = timezone.localdate() + timedelta(days=3)
    day += timedelta(days=(1 - day.weekday()) % 7)
    return datetime.combine(day, datetime.min.time().replace(hour=hour), PARIS)


def calendar_part(raw: bytes):
    """(method parameter, text/calendar text, text/plain text) of an iMIP mail."""
    message = BytesParser(policy=policy.default).parsebytes(raw)
    method = text = plain = None
    for part in message.walk():
        if part.get_content_type() == "text/calendar" and text is None:
            method, text = part.get_param("method"), part.get_content()
        elif part.get_content_type() == "text/plain" and plain is None:
            plain = part.get_content()
    return method, text, plain, message


def received(login: str, title: str) -> list[tuple[str, itip.Received, str, object]]:
    """Every iMIP mail in the INBOX whose subject names ``title``, oldest first."""
    found = []
    with imap_session(login) as box:
        page = box.list_page("INBOX", page=1, page_size=500)
        for envelope in sorted(page.envelopes, key=lambda e: e.uid):
            if title not in envelope.subject:
                continue
            method, text, plain, message = calendar_part(
                box.fetch_raw("INBOX", envelope.uid, mark_seen=False)
            )
            if text:
                found.append((method, itip.read(text), plain, message))
    return found


def captured(address: str, title: str) -> list[tuple[str, itip.Received, str, object]]:
    """The iMIP mails to an outside address (kept in the spool: no smarthost in the tests)."""
    found = []
    rows = SpooledMessage.objects.filter(status="captured").order_by("received_at")
    for row in rows:
        if address not in row.recipients:
            continue
        method, text, plain, message = calendar_part(read_spooled(row))
        if text and title in str(message["Subject"]):
            found.append((method, itip.read(text), plain, message))
    return found


def outcomes(outcome: str) -> int:
    """How many received iMIP the test worker has applied with this outcome so far (its log
    names the task's return value: one outcome per attendee of its batch)."""
    log = Path(settings.VAR_DIR) / "worker.log"
    pattern = re.compile(r"Task calendar_app\.tasks\.receive_imip\[[^\]]+\] succeeded in "
                         r"[0-9.e-]+s: '([^']*)'")  # fmt: skip
    found = pattern.findall(log.read_text(errors="replace")) if log.exists() else []
    return sum(batch.split(", ").count(outcome) for batch in found)
