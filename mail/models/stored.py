"""Bytes that another node must read: the spooled messages, the files sent as links, and the
files uploaded in one request and used by a later one (``KeptUpload``: an import checked on
one web node and confirmed on another, or run by a worker elsewhere).

They live in the database, as rows of up to ``CHUNK_BYTES`` (bytea on PostgreSQL, BLOB on
SQLite), written and read one chunk at a time so that neither the gateway nor a download
holds a whole file in memory. They are written in the transaction that records their owner:
once it has committed, the bytes are on the database's disk (PostgreSQL's synchronous commit,
SQLite's ``synchronous=FULL``) and every gateway, worker and web node can read them.
"""

import os
import secrets
from collections.abc import Iterator
from datetime import timedelta
from typing import BinaryIO

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

CHUNK_BYTES = 1024 * 1024
Content = bytes | bytearray | memoryview | BinaryIO


class ContentMissing(Exception):
    """The owner's bytes are not in the database (deleted, or never written)."""


class SpoolChunk(models.Model):
    message = models.ForeignKey(
        "mail.SpooledMessage", on_delete=models.CASCADE, related_name="chunks"
    )
    seq = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["message", "seq"], name="unique_spool_chunk")
        ]

    def __str__(self) -> str:
        return f"{self.message_id} #{self.seq}"


class SharedFileChunk(models.Model):
    shared = models.ForeignKey("mail.SharedFile", on_delete=models.CASCADE, related_name="chunks")
    seq = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["shared", "seq"], name="unique_shared_file_chunk")
        ]

    def __str__(self) -> str:
        return f"{self.shared_id} #{self.seq}"


def _token() -> str:
    return secrets.token_hex(16)


class KeptUpload(models.Model):
    """An uploaded file waiting for its next step (a confirmation, the worker's chunks),
    named by an unguessable token and read only by the person who sent it. Until
    ``expires_at`` (None: until its import ends and discards it); ``purge_expired`` then
    deletes it, so a preview nobody confirms does not keep the file (HR data among them)."""

    token = models.CharField(max_length=32, unique=True, default=_token)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=200)  # as uploaded
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.owner_id}: {self.name}"


class KeptUploadChunk(models.Model):
    upload = models.ForeignKey(KeptUpload, on_delete=models.CASCADE, related_name="chunks")
    seq = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["upload", "seq"], name="unique_kept_upload_chunk")
        ]

    def __str__(self) -> str:
        return f"{self.upload_id} #{self.seq}"


def size_of(*pieces: Content) -> int:
    """Bytes ``store`` will write: a file counts from its current position to its end."""
    total = 0
    for piece in pieces:
        if isinstance(piece, bytes | bytearray | memoryview):
            total += len(piece)
        else:
            start = piece.tell()
            total += piece.seek(0, os.SEEK_END) - start
            piece.seek(start)
    return total


def _blocks(pieces) -> Iterator[bytes | memoryview]:
    for piece in pieces:
        if isinstance(piece, bytes | bytearray | memoryview):
            view = memoryview(piece)
            for start in range(0, len(view), CHUNK_BYTES):
                yield view[start : start + CHUNK_BYTES]
        else:
            while block := piece.read(CHUNK_BYTES):
                yield block


def _chunks(pieces) -> Iterator[bytes]:
    """The pieces one after the other, cut into chunks of CHUNK_BYTES (the last shorter);
    at least one chunk, even for no bytes at all: a missing first row means missing content."""
    buffer = bytearray()
    sent = False
    for block in _blocks(pieces):
        buffer += block
        while len(buffer) >= CHUNK_BYTES:
            yield bytes(buffer[:CHUNK_BYTES])
            del buffer[:CHUNK_BYTES]
            sent = True
    if buffer or not sent:
        yield bytes(buffer)


def store(chunks, *pieces: Content) -> None:
    """Writes ``pieces`` (bytes, or binary files read from their current position) into the
    owner's related manager ``chunks`` (``message.chunks``). Call it inside the transaction
    that saves the owner: the bytes and their owner are committed together or not at all."""
    for seq, data in enumerate(_chunks(pieces)):
        chunks.create(seq=seq, data=data)


def stream(chunks) -> Iterator[bytes]:
    """The bytes, one chunk (one query) at a time: a large file is never whole in memory.
    Raises ContentMissing at once when there is nothing."""
    ids = list(chunks.order_by("seq").values_list("pk", flat=True))
    if not ids:
        raise ContentMissing(f"no content for {chunks.instance!r}")
    return _each(chunks.model, ids)


def _each(model, ids) -> Iterator[bytes]:
    for pk in ids:
        yield bytes(model.objects.values_list("data", flat=True).get(pk=pk))


def read(chunks) -> bytes:
    """The whole content (a message the worker delivers: at most GATEWAY_MAX_MESSAGE_SIZE)."""
    return b"".join(stream(chunks))


def first_bytes(chunks, limit: int) -> bytes:
    """The beginning of the content (an inspection page), reading only its first chunk."""
    return next(stream(chunks))[:limit]


def has_content(chunks) -> bool:
    return chunks.exists()


def discard(chunks) -> None:
    chunks.all().delete()


# --- Uploads kept between two requests ----------------------------------------------------


def keep(owner, name: str, *pieces: Content, seconds: int | None) -> KeptUpload:
    """Stores the upload for ``seconds`` (None: until ``forget``); returns it, its token
    to be carried by the next request."""
    expires_at = None if seconds is None else timezone.now() + timedelta(seconds=seconds)
    with transaction.atomic():
        upload = KeptUpload.objects.create(owner=owner, name=name[:200], expires_at=expires_at)
        store(upload.chunks, *pieces)
    return upload


def kept(owner, token: str) -> KeptUpload | None:
    """The owner's upload of this token, unless it expired (or was used and forgotten)."""
    return (
        KeptUpload.objects.filter(owner=owner, token=token)
        .exclude(expires_at__lt=timezone.now())
        .first()
    )


def hold(upload: KeptUpload) -> bool:
    """Keeps a still-valid upload until ``forget`` (an import that starts now may outlive the
    preview's delay); False when it expired meanwhile."""
    return bool(
        KeptUpload.objects.filter(pk=upload.pk)
        .exclude(expires_at__lt=timezone.now())
        .update(expires_at=None)
    )


def forget(upload: KeptUpload | None) -> None:
    if upload is not None:
        KeptUpload.objects.filter(pk=upload.pk).delete()


def purge_expired_uploads() -> int:
    """Deletes the uploads past their delay, with their chunks; how many."""
    _count, by_model = KeptUpload.objects.filter(expires_at__lt=timezone.now()).delete()
    return by_model.get(KeptUpload._meta.label, 0)
