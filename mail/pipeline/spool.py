"""The gateway's durable spool: the message is committed to the database, where every worker
reads it, before the client hears 250 (mail/models/stored.py: no node-local disk)."""

import hashlib
import logging
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from convergence.queueing import enqueue_on_commit
from mail.models import SpooledMessage, stored

logger = logging.getLogger(__name__)
RESENT = "spool %s: received again (its sender missed the 250), not stored twice"


def fingerprint(message_id: bytes, digest: str, mail_from: str, recipients: list[str]) -> str:
    """What makes a resend the same message: its Message-ID, envelope and content's digest
    (mail.pipeline.data_stream). Empty without a Message-ID: nothing to tell a resend from
    a sender's identical new message."""
    if not message_id.strip():
        return ""
    envelope = "\n".join([mail_from.lower(), *sorted(r.lower() for r in recipients)])
    return hashlib.sha256(b"\0".join([message_id.strip(), digest.encode(),
                                       envelope.encode()])).hexdigest()  # fmt: skip


def _earlier(fingerprint: str) -> SpooledMessage | None:
    if not fingerprint:
        return None
    if earlier := SpooledMessage.objects.filter(fingerprint=fingerprint).first():
        logger.warning(RESENT, earlier.id)
    return earlier


def spool_message(
    *content: stored.Content, mail_from: str, recipients: list[str], submitted_by=None,
    spool_id=None, fingerprint: str = "",
) -> SpooledMessage:
    """Record the message and its bytes in one transaction, and queue its delivery once it
    has committed. ``content``: the message's pieces in order, each bytes or a binary file
    read a chunk at a time from its current position (e.g. a header, then the DATA the
    gateway spooled to a temporary file). ``spool_id``: a fixed id lets the worker spool a
    forward or a reply at most once. ``fingerprint``: a message already spooled with it
    within GATEWAY_RESEND_WINDOW_SECONDS is a sender's resend: that one is returned, and
    nothing is stored (exactly once even when the first 250 was lost)."""
    message = SpooledMessage(
        **({"id": spool_id} if spool_id else {}),
        mail_from=mail_from,
        recipients=[r.lower() for r in recipients],
        size=stored.size_of(*content),
        submitted_by=submitted_by,
        fingerprint=fingerprint,
    )
    window = timedelta(seconds=settings.GATEWAY_RESEND_WINDOW_SECONDS)
    try:
        with transaction.atomic():
            if fingerprint:  # past the window, the same message is new mail again
                SpooledMessage.objects.filter(
                    fingerprint=fingerprint, received_at__lt=timezone.now() - window
                ).update(fingerprint="")
                if earlier := _earlier(fingerprint):
                    return earlier
            message.save(force_insert=True)
            stored.store(message.chunks, *content)
            enqueue_on_commit("mail.tasks.deliver", str(message.id))
    except IntegrityError:
        # Another gateway committed the same resend meanwhile (the unique fingerprint).
        if earlier := _earlier(fingerprint):
            return earlier
        raise
    return message


def spool_file(path: Path, *, prefix: bytes = b"", mail_from: str, recipients: list[str],
               submitted_by=None, fingerprint: str = "") -> SpooledMessage:  # fmt: skip
    """As spool_message, for a message the gateway streamed to ``path``
    (mail.pipeline.data_stream): copied into the database a chunk at a time after ``prefix``
    (a list's headers), then the file is removed, whatever happened."""
    try:
        with open(path, "rb") as data:
            return spool_message(prefix, data, mail_from=mail_from, recipients=recipients,
                                 submitted_by=submitted_by, fingerprint=fingerprint)  # fmt: skip
    finally:
        path.unlink(missing_ok=True)


def read_spooled(message: SpooledMessage) -> bytes:
    """Raises stored.ContentMissing when the bytes are gone."""
    return stored.read(message.chunks)


def discard_spooled(message: SpooledMessage) -> None:
    stored.discard(message.chunks)
