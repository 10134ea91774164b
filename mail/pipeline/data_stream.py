"""The gateway's DATA phase, streamed: each line goes to a private temporary file as it
arrives (long lines re-wrapped, dots unstuffed, the size limit counted on the way), so a
24 MB message never sits in the gateway's memory. aiosmtpd's own ``smtp_DATA`` gathers the
whole message in a list of lines and joins it; this is the same protocol, written to disk."""

import asyncio
import contextlib
import hashlib
import logging
import os
import tempfile
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)
LINE_LIMIT = 998  # RFC 5321's 1,000 bytes with CRLF
TOO_LONG = "500 Line too long (see RFC5321 4.5.3.1.6)"
TOO_MUCH = "552 Error: Too much mail data"
TEMPORARY = "451 4.3.0 Temporary failure, please try again later"


class SpoolWriter:
    """A message being received: a private file under VAR_DIR/incoming, only a buffer (what
    the gateway acknowledges is committed to the database first, mail.pipeline.spool.spool_file,
    which then removes the file)."""

    def __init__(self, first: bytes = b""):
        incoming = settings.VAR_DIR / "incoming"
        incoming.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=incoming, prefix="incoming-", suffix=".part")
        self.path = Path(name)
        self._file = os.fdopen(fd, "wb", buffering=256 * 1024)
        self._in_header = True
        self._file.write(first)
        # What tells a sender's resend from new mail (mail.pipeline.spool.fingerprint): the
        # received lines' digest (not ``first``, whose Received: changes) and the Message-ID.
        self._digest = hashlib.sha256()
        self.message_id = b""
        self._in_message_id = False

    def write_line(self, line: bytes) -> None:
        """One line as received, with its CRLF. A line over 1,000 bytes is cut as Postfix
        does rather than the message refused: in the header, as folded continuations."""
        text = line[:-2]
        self._digest.update(line)
        if self._in_header and not text:
            self._in_header = False
        if self._in_header:
            self._read_message_id(text)
        if len(text) <= LINE_LIMIT:
            self._file.write(line)
            return
        glue = b"\r\n " if self._in_header else b"\r\n"
        for start in range(0, len(text), LINE_LIMIT):
            self._file.write((glue if start else b"") + text[start : start + LINE_LIMIT])
        self._file.write(b"\r\n")

    def _read_message_id(self, text: bytes) -> None:
        if text[:1] in (b" ", b"\t"):  # a folded continuation
            if self._in_message_id:
                self.message_id += text.strip()
            return
        self._in_message_id = text[:11].lower() == b"message-id:"
        if self._in_message_id:
            self.message_id = text[11:].strip()

    @property
    def digest(self) -> str:
        return self._digest.hexdigest()

    def finish(self) -> Path:
        self._file.close()  # no fsync: the durable copy is the database's commit
        return self.path

    def discard(self) -> None:
        with contextlib.suppress(OSError):
            self._file.close()
        self.path.unlink(missing_ok=True)


async def receive(
    reader: asyncio.StreamReader, writer: SpoolWriter, limit: int | None, alive=None
) -> str | None:
    """Read DATA up to the lone dot into ``writer``. None when it is all on disk, else the
    reply that refuses it (the rest is read and dropped first, as RFC 5321 § 4.2.5 implies).
    ``alive`` is called at each MiB: a sender still sending is not idle."""
    size, refusal, partial, next_mib = 0, None, False, 1 << 20
    while True:
        if alive is not None and size >= next_mib:
            alive()
            next_mib = size + (1 << 20)
        try:
            line = await reader.readuntil(b"\r\n")
        except asyncio.LimitOverrunError as exc:  # a line past the reader's 1 MiB limit
            refusal = refusal or TOO_LONG
            line = await reader.read(exc.consumed)
        if not partial and line == b".\r\n":
            return refusal
        size += len(line)
        if refusal is None and limit and size > limit:
            refusal = TOO_MUCH
        partial = not line.endswith(b"\r\n")
        if refusal is None:
            try:
                writer.write_line(line[1:] if line.startswith(b".") else line)
            except OSError:  # a full disk: the rest is read, the client told to retry
                logger.exception("spooling failed")
                refusal = TEMPORARY


async def stream_data(smtp, first: bytes) -> tuple[SpoolWriter | None, str | None]:
    """The DATA phase of ``smtp`` (an aiosmtpd SMTP after its 354): the finished writer
    (its ``path``, ``message_id`` and ``digest``), or the reply that refused the message.
    ``first``: bytes written before the message (Received:)."""
    writer = SpoolWriter(first)
    try:
        # The idle timeout (GATEWAY_IDLE_SECONDS) counts from the last MiB, not from DATA.
        refusal = await receive(smtp._reader, writer, smtp.data_size_limit, smtp._reset_timeout)
        if refusal is not None:
            writer.discard()
            return None, refusal
        await asyncio.get_running_loop().run_in_executor(None, writer.finish)
        return writer, None
    except BaseException:  # the connection lost mid-DATA (cancelled), a full disk…
        writer.discard()
        raise
