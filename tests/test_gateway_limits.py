"""The gateway against abuse and odd mailers: long lines re-wrapped, recipients, connections
and idle sessions capped (real gateway, worker and Dovecot)."""

import smtplib
import socket
import time

import pytest
from django.conf import settings

from mail.imap import imap_session
from mail.transport.smtp import submit_as
from tests.conftest import (
    build_message,
    inbox_subjects,
    make_person,
    unique_subject,
    wait_for,
)

pytestmark = pytest.mark.usefixtures("mail_stack")


def test_a_line_over_1000_bytes_is_delivered_rewrapped(prof):
    subject = unique_subject("Ligne longue")
    long_line = "mot " * 1500  # 6,000 bytes with no line break, as some mailers send
    message = build_message(to=prof.email, subject=subject)
    raw = message.as_bytes().replace(b"\n", b"\r\n")
    raw += long_line.encode() + b"\r\n"
    raw = raw.replace(b"\r\nSubject:", b"\r\nX-Long: " + b"a" * 3000 + b"\r\nSubject:", 1)
    with smtplib.SMTP(settings.GATEWAY_HOST, settings.GATEWAY_INBOUND_PORT, timeout=10) as smtp:
        smtp.sendmail("famille.durand@example.org", [prof.email], raw)
    wait_for(lambda: subject in inbox_subjects(prof.username))
    with imap_session(prof.username) as box:
        page = box.list_page("INBOX", page=1, page_size=500)
        uid = next(e.uid for e in page.envelopes if e.subject == subject)
        stored = box.fetch_raw("INBOX", uid, mark_seen=False)
    assert all(len(line) <= 1000 for line in stored.split(b"\r\n"))
    assert stored.replace(b"\r\n", b"").count(b"mot ") == 1500  # nothing lost
    assert b"X-Long: " in stored


def test_more_than_100_recipients_are_refused_with_452(prof):
    with smtplib.SMTP(settings.GATEWAY_HOST, settings.GATEWAY_INBOUND_PORT, timeout=10) as smtp:
        smtp.ehlo()
        smtp.mail("famille.durand@example.org")
        codes = [smtp.rcpt(prof.email)[0] for _ in range(101)]
        smtp.rset()
    assert set(codes[:100]) == {250}
    assert codes[100] == 452


def _greeting(sock: socket.socket) -> bytes:
    sock.settimeout(10)
    return sock.recv(1024)


@pytest.mark.parametrize("cap, second_port", [
    # Two connections from one address, the third refused.
    ("GATEWAY_MAX_CONNECTIONS_PER_IP", "GATEWAY_INBOUND_PORT"),
    # Below the cap per address, on either port: the total is shared by both.
    ("GATEWAY_MAX_CONNECTIONS", "GATEWAY_SUBMISSION_PORT"),
])  # fmt: skip
def test_connections_beyond_a_cap_are_refused(prof, settings, cap, second_port):
    setattr(settings, cap, 2)
    address = (settings.GATEWAY_HOST, settings.GATEWAY_INBOUND_PORT)
    second_address = (settings.GATEWAY_HOST, getattr(settings, second_port))
    first, second = socket.create_connection(address), socket.create_connection(second_address)
    try:
        assert _greeting(first).startswith(b"220")
        assert _greeting(second).startswith(b"220")
        with socket.create_connection(address) as third:
            assert _greeting(third).startswith(b"421")
    finally:
        first.close()
        second.close()
    # Once they are gone, a new one is welcome again.
    wait_for(lambda: _welcome(address))


def _welcome(address) -> bool:
    with socket.create_connection(address) as sock:
        return _greeting(sock).startswith(b"220")


def test_an_idle_connection_is_ended(prof, settings):
    settings.GATEWAY_IDLE_SECONDS = 1
    address = (settings.GATEWAY_HOST, settings.GATEWAY_INBOUND_PORT)
    with socket.create_connection(address) as sock:
        assert _greeting(sock).startswith(b"220")
        started = time.monotonic()
        received = b""
        while chunk := sock.recv(1024):  # until the gateway closes it
            received += chunk
        assert time.monotonic() - started < 5


def test_a_message_to_more_recipients_than_one_transaction_takes_reaches_them_all(prof):
    """The webmail's compose field takes 500 addresses, the gateway 100 a transaction: the
    web app's client sends the rest in another transaction instead of failing the send."""
    others = [make_person(f"parent{i:03d}.limite") for i in range(settings.GATEWAY_MAX_RECIPIENTS)]
    subject = unique_subject("Réunion de rentrée, toutes les familles")
    raw = build_message(to=prof.email, subject=subject).as_bytes()
    recipients = [prof.email] + [person.email for person in others]
    submit_as(prof.username, raw, mail_from=prof.email, recipients=recipients)
    wait_for(lambda: subject in inbox_subjects(prof.username))
    wait_for(lambda: subject in inbox_subjects(others[-1].username))
