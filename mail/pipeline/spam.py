"""The only module that speaks to SpamAssassin: spamd's protocol (SPAMC/1.5) over TCP.

Scoring (SYMBOLS) and learning (TELL, what sa-learn does, inside spamd) both go through
spamd, so the web app and the workers can run on other machines than the Bayes databases,
and no process but spamd ever writes them. Each mailbox has its own Bayes database (spamd's
``--virtual-config-dir``, keyed by the ``User`` we send); every lesson is also given to a
shared, académie-wide database, used for messages with several local recipients.
"""

import logging
import re
import socket
from dataclasses import dataclass

from django.conf import settings

logger = logging.getLogger(__name__)

# Not a possible login (logins start with a letter or a digit): cannot be a mailbox's Bayes.
SHARED_BAYES = "_academie"
# The folder of deploy/dovecot.conf.template with \Junk; LMTP delivers to "user+Junk" there
# (lmtp_save_to_detail_mailbox).
JUNK_FOLDER = "Junk"

_SPAM_LINE = re.compile(rb"^Spam:\s*\w+\s*;\s*(-?[0-9.]+)\s*/\s*(-?[0-9.]+)\s*$", re.M | re.I)


class SpamdUnavailable(Exception):
    """spamd did not answer, or answered with an error: the caller goes on without it."""


@dataclass(frozen=True)
class Verdict:
    score: float
    tests: tuple[str, ...]

    @property
    def is_junk(self) -> bool:
        return self.score >= settings.SPAM_THRESHOLD

    def headers(self) -> list[tuple[str, str]]:
        status = "Yes" if self.is_junk else "No"
        summary = f"{status}, score={self.score:.1f} required={settings.SPAM_THRESHOLD:.1f}"
        tests = _fold(",".join(self.tests) or "none")
        headers = [("X-Spam-Status", f"{summary}\r\n\ttests={tests}")]
        headers.append(("X-Spam-Score", f"{self.score:.1f}"))
        if self.is_junk:
            headers.append(("X-Spam-Flag", "YES"))
        return headers


def _fold(rules: str, width: int = 70) -> str:
    """Keep header lines short (RFC 5322 §2.1.1): break the rule list after commas."""
    lines, line = [], ""
    for rule in rules.split(","):
        if line and len(line) + len(rule) > width:
            lines.append(line)
            line = ""
        line += rule + ","
    lines.append(line.rstrip(","))
    return "\r\n\t".join(lines)


def _call(command: str, raw: bytes, *, user: str, extra: tuple[str, ...] = ()) -> bytes:
    """One request; returns the reply's header block (status line first) and body."""
    request = [f"{command} SPAMC/1.5", f"Content-length: {len(raw)}", f"User: {user}", *extra]
    try:
        with socket.create_connection(
            (settings.SPAMD_HOST, settings.SPAMD_PORT), timeout=settings.SPAMD_TIMEOUT
        ) as conn:
            conn.sendall("\r\n".join(request).encode() + b"\r\n\r\n" + raw)
            conn.shutdown(socket.SHUT_WR)
            chunks = []
            while chunk := conn.recv(65536):
                chunks.append(chunk)
    except OSError as exc:
        where = f"{settings.SPAMD_HOST}:{settings.SPAMD_PORT}"
        raise SpamdUnavailable(f"spamd at {where}: {exc}") from exc
    reply = b"".join(chunks)
    status = reply.split(b"\r\n", 1)[0]
    parts = status.split(b" ", 2)
    if len(parts) < 2 or not parts[0].startswith(b"SPAMD/") or parts[1] != b"0":
        raise SpamdUnavailable(f"spamd answered {status[:200]!r}")
    return reply


def ping() -> bool:
    try:
        with socket.create_connection((settings.SPAMD_HOST, settings.SPAMD_PORT), timeout=2) as c:
            c.sendall(b"PING SPAMC/1.5\r\n\r\n")
            return b"PONG" in c.recv(100)
    except OSError:
        return False


def check(raw: bytes, *, bayes_user: str) -> Verdict:
    """Score a message with ``bayes_user``'s Bayes database (and every other rule)."""
    reply = _call("SYMBOLS", raw, user=bayes_user)
    head, _, body = reply.partition(b"\r\n\r\n")
    match = _SPAM_LINE.search(head)
    if match is None:
        raise SpamdUnavailable(f"spamd gave no score: {head[:200]!r}")
    tests = tuple(t for t in body.decode("ascii", "replace").strip().split(",") if t)
    return Verdict(score=float(match[1]), tests=tests)


def learn(raw: bytes, *, imap_user: str, is_spam: bool) -> bool:
    """Teach the mailbox's Bayes database and the shared one that ``raw`` is spam (or not).
    Learning the other way round replaces an earlier lesson. False (logged) if it could not."""
    if len(raw) > settings.SPAM_MAX_BYTES:
        logger.info("not learning a %d-byte message for %s: too large", len(raw), imap_user)
        return False
    extra = (f"Message-class: {'spam' if is_spam else 'ham'}", "Set: local")
    try:
        for user in (imap_user, SHARED_BAYES):
            _call("TELL", raw, user=user, extra=extra)
    except SpamdUnavailable as exc:
        logger.warning("could not train the spam filter of %s: %s", imap_user, exc)
        return False
    return True


def stamp(raw: bytes, verdict: Verdict | None) -> bytes:
    """The copy to deliver: X-Spam-* headers from outside removed (a sender could forge a
    verdict), ours on top when there is one."""
    newline = b"\r\n" if raw.split(b"\n", 1)[0].endswith(b"\r") else b"\n"
    ours = b""
    if verdict is not None:
        ours = b"".join(
            f"{name}: {value}".encode("ascii").replace(b"\r\n", newline) + newline
            for name, value in verdict.headers()
        )
    return ours + _without_spam_headers(raw)


def _without_spam_headers(raw: bytes) -> bytes:
    kept, pos, dropping = [], 0, False
    while pos < len(raw):
        end = raw.find(b"\n", pos)
        end = len(raw) if end == -1 else end + 1
        line = raw[pos:end]
        if line in (b"\r\n", b"\n"):  # the blank line: the body follows, untouched
            break
        if line[:1] not in (b" ", b"\t"):  # not a folded continuation: a new header
            dropping = line[:7].lower() == b"x-spam-"
        if not dropping:
            kept.append(line)
        pos = end
    return b"".join(kept) + raw[pos:]


def prepare_local_delivery(
    raw: bytes, *, imap_users: list[str], scan: bool = True
) -> tuple[bytes, dict[str, str]]:
    """Score once, before delivery: (the stamped copy, the LMTP recipient of each IMAP user,
    ``user+Junk`` for those whose copy is spam). One recipient: their own Bayes; several:
    the shared one. Unscanned (too large, not asked, spamd down: logged) means INBOX."""
    verdict = None
    if scan and imap_users and len(raw) <= settings.SPAM_MAX_BYTES:
        bayes_user = imap_users[0] if len(imap_users) == 1 else SHARED_BAYES
        try:
            verdict = check(raw, bayes_user=bayes_user)
        except SpamdUnavailable as exc:
            logger.warning("delivering without a spam score: %s", exc)
    junk = verdict is not None and verdict.is_junk
    targets = {user: f"{user}+{JUNK_FOLDER}" if junk else user for user in imap_users}
    return stamp(raw, verdict), targets
