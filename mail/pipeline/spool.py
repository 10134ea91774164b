"""The gateway's durable spool: the bytes reach the disk (fsync) before the client hears 250."""

import os
from pathlib import Path

from django.db import transaction

from convergence.queueing import enqueue_on_commit
from mail.models import SpooledMessage


def _write_durably(path: Path, raw: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, raw)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    _fsync_directory(path.parent)


def _fsync_directory(directory: Path) -> None:
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def spool_message(
    raw: bytes, *, mail_from: str, recipients: list[str], submitted_by=None, spool_id=None
) -> SpooledMessage:
    """Write the message to disk, index it, and queue its delivery once the index is committed.
    ``spool_id``: a fixed id lets the worker spool a forward or a reply at most once."""
    message = SpooledMessage(
        **({"id": spool_id} if spool_id else {}),
        mail_from=mail_from,
        recipients=[r.lower() for r in recipients],
        size=len(raw),
        submitted_by=submitted_by,
    )
    _write_durably(message.path, raw)
    _index(message)
    return message


def spool_file(path: Path, *, mail_from: str, recipients: list[str], submitted_by=None):
    """As spool_message, for a message the gateway streamed to ``path`` (a fsynced file in
    SPOOL_DIR, mail.pipeline.data_stream): renamed into place rather than read and written."""
    message = SpooledMessage(
        mail_from=mail_from,
        recipients=[r.lower() for r in recipients],
        size=path.stat().st_size,
        submitted_by=submitted_by,
    )
    try:
        os.replace(path, message.path)
        _fsync_directory(message.path.parent)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    _index(message)
    return message


def _index(message: SpooledMessage) -> None:
    try:
        with transaction.atomic():
            message.save(force_insert=True)
            enqueue_on_commit("mail.tasks.deliver", str(message.id))
    except BaseException:
        discard_spooled(message)  # the client hears 451 and sends again
        raise


def read_spooled(message: SpooledMessage) -> bytes:
    return message.path.read_bytes()


def discard_spooled(message: SpooledMessage) -> None:
    message.path.unlink(missing_ok=True)
