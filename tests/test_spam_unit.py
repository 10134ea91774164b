"""mail/spam.py without spamd: the stamped copy, and what happens when spamd misbehaves."""

import socket
import threading
from email import message_from_bytes, policy

import pytest

from mail.pipeline import spam


def test_stamp_replaces_forged_headers_folded_or_not_and_leaves_the_body_alone():
    raw = (
        b"Received: from x\r\n\tby y\r\n"
        b"X-Spam-Flag: NO\r\n"
        b"x-spam-status: No, score=-50\r\n\ttests=FORGED\r\n"
        b"Subject: Bonjour\r\n"
        b"\r\n"
        b"X-Spam-Flag: NO (in the body: stays)\r\n"
    )
    verdict = spam.Verdict(score=7.25, tests=tuple(f"RULE_NUMBER_{i}" for i in range(12)))
    stamped = spam.stamp(raw, verdict)
    message = message_from_bytes(stamped, policy=policy.default)
    assert message.get_all("X-Spam-Flag") == ["YES"]
    assert message["X-Spam-Score"] == "7.2"
    assert str(message["X-Spam-Status"]).startswith("Yes, score=7.2 required=5.0")
    assert "RULE_NUMBER_11" in str(message["X-Spam-Status"]) and "FORGED" not in stamped.decode()
    assert stamped.count(b"Received: from x\r\n\tby y\r\nSubject: Bonjour\r\n") == 1
    assert stamped.endswith(b"\r\n\r\nX-Spam-Flag: NO (in the body: stays)\r\n")
    assert all(len(line) <= 78 for line in stamped.split(b"\r\n"))


def test_stamp_without_a_verdict_only_removes_and_keeps_bare_newlines():
    raw = b"X-Spam-Score: -99\nSubject: x\n\nbody\n"
    assert spam.stamp(raw, None) == b"Subject: x\n\nbody\n"
    ham = spam.Verdict(score=1.0, tests=())
    assert spam.stamp(raw, ham).startswith(b"X-Spam-Status: No, score=1.0 required=5.0\n\t")
    assert b"X-Spam-Flag" not in spam.stamp(raw, ham)


@pytest.fixture
def fake_spamd(settings):
    """A loopback listener answering one canned reply, to see how errors are handled."""
    replies = []
    server = socket.create_server(("127.0.0.1", 0))
    settings.SPAMD_HOST, settings.SPAMD_PORT = "127.0.0.1", server.getsockname()[1]

    def serve():
        while replies:
            conn, _ = server.accept()
            with conn:
                conn.recv(65536)
                conn.sendall(replies.pop(0))

    def answer(*canned: bytes):
        replies.extend(canned)
        threading.Thread(target=serve, daemon=True).start()

    yield answer
    server.close()


def test_spamd_errors_and_silence_mean_unscored_never_lost(fake_spamd, settings, caplog):
    fake_spamd(b"SPAMD/1.1 76 Bad header line: (EOF)\r\n\r\n", b"SPAMD/1.1 0 EX_OK\r\n\r\n")
    for _ in range(2):
        copy, targets = spam.prepare_local_delivery(b"Subject: x\r\n\r\nhi\r\n", imap_users=["a"])
        assert copy == b"Subject: x\r\n\r\nhi\r\n" and targets == {"a": "a"}
    assert caplog.text.count("delivering without a spam score") == 2

    settings.SPAMD_PORT = 9  # nothing listens there
    assert spam.learn(b"Subject: x\r\n\r\nhi\r\n", imap_user="a", is_spam=True) is False
    assert "could not train the spam filter of a" in caplog.text


def test_large_messages_are_not_scanned(settings, caplog):
    settings.SPAMD_PORT = 9  # nothing listens: asking would log a failure
    settings.SPAM_MAX_BYTES = 10
    copy, targets = spam.prepare_local_delivery(
        b"Subject: long\r\n\r\n" + b"x" * 50, imap_users=["a"]
    )
    assert targets == {"a": "a"}
    assert "delivering without a spam score" not in caplog.text
