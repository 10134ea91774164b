"""A sender that did not hear the 250 sends the message again (#18: a gateway killed after it
stored the message and before its reply left). The spool recognises the resend (the same
Message-ID, envelope sender, recipients and content within GATEWAY_RESEND_WINDOW_SECONDS)
and answers 250 with the first copy's id instead of storing a second copy."""

import logging
import smtplib
import socket
from datetime import timedelta

import pytest
from django.conf import settings

from mail.models import SpooledMessage
from mail.pipeline import spool
from mail.pipeline.spool import RESENT, spool_message
from tests.conftest import build_message, unique_subject, wait_for

pytestmark = pytest.mark.usefixtures("gateway")
SENDER = "famille.durand@example.org"


def _ours():
    """The rows of the messages sent here: a worker may spool others meanwhile (an absence
    reply, a notice) in the same table."""
    return SpooledMessage.objects.filter(mail_from=SENDER)


def _raw(message) -> bytes:
    return message.as_bytes().replace(b"\n", b"\r\n")


def _send_without_hearing_the_reply(raw: bytes, to: str) -> None:
    """Up to the final dot; once the message is spooled, the connection dropped with the
    reply unread, as for a sender whose gateway died between its commit and its 250."""
    with socket.create_connection((settings.GATEWAY_HOST, settings.GATEWAY_INBOUND_PORT),
                                  timeout=30) as sock:  # fmt: skip
        replies = sock.makefile("rb")
        for command in (None, b"EHLO ecole.example.org", f"MAIL FROM:<{SENDER}>".encode(),
                        f"RCPT TO:<{to}>".encode(), b"DATA"):  # fmt: skip
            if command:
                sock.sendall(command + b"\r\n")
            while (line := replies.readline())[3:4] == b"-":
                pass
            assert line[:1] in (b"2", b"3"), line
        sock.sendall(raw + b".\r\n")
        wait_for(lambda: _ours().count() == 1, timeout=30)


def _send(raw: bytes, to: list[str]) -> str:
    """The 250's text."""
    with smtplib.SMTP(settings.GATEWAY_HOST, settings.GATEWAY_INBOUND_PORT, timeout=30) as smtp:
        smtp.ehlo()
        smtp.mail(SENDER)
        for address in to:
            smtp.rcpt(address)
        code, text = smtp.data(raw)
    assert code == 250, text
    return text.decode()


@pytest.fixture
def spool_log():
    """The spool's warnings, by a handler on its own logger: caplog's, on the root, missed
    the record logged in the gateway's thread (it reached the root's console handler)."""
    records = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = lambda record: records.append(record.getMessage())
    logger = logging.getLogger("mail.pipeline.spool")
    logger.addHandler(handler)
    yield records
    logger.removeHandler(handler)


def test_a_message_sent_again_after_a_lost_reply_is_spooled_once(prof, spool_log):
    raw = _raw(build_message(to=prof.email, subject=unique_subject("Sans réponse")))
    _send_without_hearing_the_reply(raw, prof.email)
    first = _ours().get()

    reply = _send(raw, [prof.email])

    assert _ours().count() == 1
    assert reply.endswith(str(first.id))
    assert spool_log == [RESENT % first.id]  # what `make cluster-chaos` counts


def test_another_message_or_other_recipients_are_new_mail(prof, colleague):
    message = build_message(to=prof.email, subject=unique_subject("Deux fois"))
    _send(_raw(message), [prof.email])
    _send(_raw(message), [prof.email, colleague.email])  # the same Message-ID, more people
    message.replace_header("Message-ID", "<autre@example.org>")
    _send(_raw(message), [prof.email])
    assert _ours().count() == 3


def test_a_resend_after_the_window_is_new_mail(prof):
    raw = _raw(build_message(to=prof.email, subject=unique_subject("Bien plus tard")))
    _send(raw, [prof.email])
    long_ago = _ours().get().received_at - timedelta(
        seconds=settings.GATEWAY_RESEND_WINDOW_SECONDS + 1
    )
    _ours().update(received_at=long_ago)
    _send(raw, [prof.email])
    assert _ours().count() == 2


def test_a_message_without_message_id_is_never_taken_for_a_resend(prof):
    message = build_message(to=prof.email, subject=unique_subject("Sans identifiant"))
    del message["Message-ID"]
    _send(_raw(message), [prof.email])
    _send(_raw(message), [prof.email])
    assert _ours().count() == 2


def test_what_the_worker_spools_has_no_fingerprint(prof):
    """Forwards and replies have their own fixed ids (spool_id): never deduplicated here."""
    raw = _raw(build_message(to=prof.email, subject=unique_subject("Transfert")))
    for _ in range(2):
        spool_message(raw, mail_from=SENDER, recipients=[prof.email])
    assert _ours().count() == 2


def test_two_gateways_taking_the_same_resend_at_once_store_one_copy(prof, monkeypatch):
    """The second insert meets the first's committed fingerprint (the unique constraint):
    here, the look-up before it made blind, as when both looked before either committed."""
    raw = _raw(build_message(to=prof.email, subject=unique_subject("En même temps")))
    same = spool.fingerprint(b"<x@example.org>", "digest", SENDER, [prof.email])
    first = spool_message(raw, mail_from=SENDER, recipients=[prof.email], fingerprint=same)
    looked = []
    real = spool._earlier
    monkeypatch.setattr(spool, "_earlier", lambda f: looked.append(f) or (
        real(f) if len(looked) > 1 else None))  # fmt: skip

    again = spool_message(raw, mail_from=SENDER, recipients=[prof.email], fingerprint=same)

    assert again.id == first.id and len(looked) == 2
    assert _ours().count() == 1
