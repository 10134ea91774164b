"""The gateway's durable spool: the message is committed to the database, where every worker
reads it, before the client hears 250 (mail/models/stored.py: no node-local disk)."""

from pathlib import Path

from django.db import transaction

from convergence.queueing import enqueue_on_commit
from mail.models import SpooledMessage, stored


def spool_message(
    *content: stored.Content, mail_from: str, recipients: list[str], submitted_by=None,
    spool_id=None,
) -> SpooledMessage:
    """Record the message and its bytes in one transaction, and queue its delivery once it
    has committed. ``content``: the message's pieces in order, each bytes or a binary file
    read a chunk at a time from its current position (e.g. a header, then the DATA the
    gateway spooled to a temporary file). ``spool_id``: a fixed id lets the worker spool a
    forward or a reply at most once."""
    message = SpooledMessage(
        **({"id": spool_id} if spool_id else {}),
        mail_from=mail_from,
        recipients=[r.lower() for r in recipients],
        size=stored.size_of(*content),
        submitted_by=submitted_by,
    )
    with transaction.atomic():
        message.save(force_insert=True)
        stored.store(message.chunks, *content)
        enqueue_on_commit("mail.tasks.deliver", str(message.id))
    return message


def spool_file(path: Path, *, prefix: bytes = b"", mail_from: str, recipients: list[str],
               submitted_by=None) -> SpooledMessage:  # fmt: skip
    """As spool_message, for a message the gateway streamed to ``path``
    (mail.pipeline.data_stream): copied into the database a chunk at a time after ``prefix``
    (a list's headers), then the file is removed, whatever happened."""
    try:
        with open(path, "rb") as data:
            return spool_message(prefix, data, mail_from=mail_from, recipients=recipients,
                                 submitted_by=submitted_by)  # fmt: skip
    finally:
        path.unlink(missing_ok=True)


def read_spooled(message: SpooledMessage) -> bytes:
    """Raises stored.ContentMissing when the bytes are gone."""
    return stored.read(message.chunks)


def discard_spooled(message: SpooledMessage) -> None:
    stored.discard(message.chunks)
