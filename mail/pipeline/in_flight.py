"""At least once, never twice: the recipients about to be stored are recorded «in flight»
before Dovecot may store anything, and each copy carries the delivery header, so a retry
after a crash finds what an earlier attempt stored without recording it."""

import time
from datetime import timedelta

from django.conf import settings

from mail.models import SpooledMessage
from mail.pipeline.context import DELIVERY_HEADER


def stamped(raw: bytes, message: SpooledMessage) -> bytes:
    eol = b"\r\n" if b"\r\n" in raw[:4096] else b"\n"
    return f"{DELIVERY_HEADER}: {message.id}".encode() + eol + raw


def mark_in_flight(message: SpooledMessage, addresses: list[str]) -> None:
    """Committed before Dovecot may store anything: a crash from here on leaves a trace."""
    message.in_flight = sorted(set(message.in_flight) | set(addresses))
    message.save(update_fields=["in_flight", "updated_at"])


def record_outcome(message: SpooledMessage, addresses: list[str]) -> None:
    """Dovecot answered for these: what it stored is recorded, none is in flight any more."""
    answered = set(addresses)
    message.in_flight = [a for a in message.in_flight if a not in answered]
    message.save(update_fields=["delivered_to", "in_flight", "updated_at"])


def fault_pause() -> None:
    if settings.DELIVERY_FAULT_PAUSE_SECONDS:  # tests only: the window a crash can hit
        time.sleep(settings.DELIVERY_FAULT_PAUSE_SECONDS)


def holds_copy(box, message: SpooledMessage, folder: str) -> bool:
    # A day earlier: the server's calendar day may not be ours.
    since = (message.received_at - timedelta(days=1)).date()
    return box.holds_header(folder, DELIVERY_HEADER, str(message.id), since=since)
