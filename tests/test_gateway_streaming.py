"""The gateway streams DATA to the spool directory instead of holding messages in memory
(#17: twenty 24 MB messages at once took it from 100 MB to 700 MB). A real gateway process
(`manage.py rungateway`), whose peak resident memory (VmHWM) is read from /proc."""

import asyncio
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.conf import settings

from devstack.loopback import free_port, listening
from devstack.processes import stop_process_group
from mail.models import SpooledMessage
from mail.pipeline.data_stream import SpoolWriter, receive
from tests.conftest import build_message, send_inbound, unique_subject, wait_for
from tests.servers import database_url

# 20 messages of 8 MB: held in memory they would take 160 MB at least; streamed, a few MiB.
# (20 × 24 MB took +917 MiB before streaming, +11 MiB after, on the branch that built it.)
MESSAGES, SIZE = 20, 8 * 1024 * 1024
INCOMING = settings.VAR_DIR / "incoming"  # where the gateway buffers DATA
LINE = b"Compte rendu du conseil d'administration, ligne apres ligne, sans fin." + b"\r\n"


def _peak_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


@pytest.fixture
def gateway_process(transactional_db):
    """rungateway on its own ports, on the test database; its broker is unreachable (the
    message is on disk and in the database all the same, and no worker delivers 480 MB)."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CONVERGENCE_DEVELOPMENT": "true",  # the secrets generated under the tests' var/
        "GATEWAY_INBOUND_PORT": str(port),
        "GATEWAY_SUBMISSION_PORT": str(free_port()),
        "GATEWAY_SUBMISSIONS_PORT": "0",
        "GATEWAY_MAX_MESSAGE_SIZE": str(SIZE + 1024 * 1024),
        "GATEWAY_MAX_CONNECTIONS_PER_IP": str(MESSAGES + 5),
        "CELERY_BROKER_URL": f"redis://127.0.0.1:{free_port()}/0",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    log = open(Path(settings.VAR_DIR) / "gateway-streaming.log", "ab")  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "manage.py", "rungateway"], cwd=settings.BASE_DIR, env=env,
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        wait_for(lambda: listening("127.0.0.1", port) or process.poll() is not None, 60)
        log_path = Path(settings.VAR_DIR) / "gateway-streaming.log"
        assert process.poll() is None, log_path.read_text(errors="replace")[-3000:]
        yield process, port
    finally:
        stop_process_group(process)
        log.close()


class _Transaction:
    """One SMTP client up to the end of its DATA: the final dot is sent by ``finish``."""

    def __init__(self, port: int, to: str):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=120)
        self.replies = self.sock.makefile("rb")
        self._expect(b"220")
        for command, code in ((b"EHLO ecole.example.org", b"250"),
                              (b"MAIL FROM:<famille.durand@example.org>", b"250"),
                              (f"RCPT TO:<{to}>".encode(), b"250"), (b"DATA", b"354")):  # fmt: skip
            self.sock.sendall(command + b"\r\n")
            self._expect(code)

    def _expect(self, code: bytes) -> bytes:
        line = self.replies.readline()
        while line[3:4] == b"-":
            line = self.replies.readline()
        assert line.startswith(code), line
        return line

    def finish(self) -> bytes:
        self.sock.sendall(b".\r\n")
        reply = self._expect(b"250")
        self.sock.sendall(b"QUIT\r\n")
        self.sock.close()
        return reply


def _finished(client: _Transaction) -> bytes:
    try:
        return client.finish()
    except (OSError, AssertionError) as exc:
        return repr(exc).encode()


def test_twenty_large_messages_at_once_leave_the_gateway_memory_bounded(
    gateway_process, prof
):
    process, port = gateway_process
    warm_up = _Transaction(port, prof.email)  # the database connection, the spool directory
    warm_up.sock.sendall(b"Subject: premier\r\n\r\n..un point en tete\r\n")
    warm_up.finish()
    before = _peak_mib(process.pid)
    head = f"From: famille.durand@example.org\r\nTo: {prof.email}\r\nSubject: Gros envoi\r\n\r\n"
    body = head.encode() + LINE * (SIZE // len(LINE))
    clients = [_Transaction(port, prof.email) for _ in range(MESSAGES)]
    senders = [threading.Thread(target=c.sock.sendall, args=(body,)) for c in clients]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join()
    # Every message is whole on the gateway's side before any of them ends.
    replies = [_finished(client) for client in clients]
    growth = _peak_mib(process.pid) - before
    print(f"gateway peak memory: +{growth:.0f} MiB for {MESSAGES} × {SIZE >> 20} MiB")
    assert growth < 60, f"the gateway's peak memory grew by {growth:.0f} MiB"
    assert all(b"queued as" in reply for reply in replies), replies
    spooled = SpooledMessage.objects.filter(size__gt=SIZE // 2)
    assert spooled.count() == MESSAGES
    assert not list(INCOMING.glob("*.part"))
    # What the stream writes (Received:, dots unstuffed, long lines) is checked below on
    # data_stream itself: the worker delivers and drops the spool's bytes meanwhile.


@pytest.mark.usefixtures("gateway")
def test_a_refused_message_leaves_nothing_behind(prof):
    too_big = build_message(to=prof.email, subject=unique_subject(), body="x" * (600 * 1024))
    with pytest.raises(Exception, match="552"):
        send_inbound(too_big)
    assert not list(INCOMING.glob("*.part"))
    assert not SpooledMessage.objects.exists()


def _received(data: bytes, limit: int | None = None) -> tuple[bytes | None, str | None]:
    """What data_stream.receive writes for ``data`` (everything after DATA's 354)."""

    async def run():
        reader = asyncio.StreamReader(limit=1024 * 1024)
        reader.feed_data(data)
        reader.feed_eof()
        writer = SpoolWriter(b"Received: x\r\n")
        refusal = await receive(reader, writer, limit)
        if refusal:
            writer.discard()
            return None, refusal
        path = writer.finish()
        content = path.read_bytes()
        path.unlink()
        return content, None

    return asyncio.run(run())


def test_the_stream_unstuffs_dots_and_rewraps_long_lines():
    header_line = b"X-Long: " + b"a" * 2500
    content, refusal = _received(
        header_line + b"\r\nSubject: s\r\n\r\n..debut\r\n" + b"b" * 2100 + b"\r\n.\r\n"
    )
    assert refusal is None
    lines = content.split(b"\r\n")
    assert lines[0] == b"Received: x" and all(len(line) <= 1000 for line in lines)
    assert lines[1] == header_line[:998] and lines[2].startswith(b" ")  # folded
    assert b".debut\r\n" + b"b" * 998 + b"\r\n" + b"b" * 998 + b"\r\n" + b"b" * 104 in content
    assert content.replace(b"\r\n ", b"").count(b"a") == 2500


def test_the_stream_refuses_past_the_size_limit_and_keeps_nothing():
    before = set(INCOMING.glob("*")) if INCOMING.exists() else set()
    content, refusal = _received(b"Subject: s\r\n\r\n" + b"x" * 70 + b"\r\n" * 100 + b".\r\n", 200)
    assert content is None and refusal.startswith("552")
    _, refusal = _received(b"Subject: s\r\n\r\n" + b"y" * (3 * 1024 * 1024) + b"\r\n.\r\n")
    assert refusal.startswith("500")
    assert set(INCOMING.glob("*")) == before
