"""The only module that speaks LMTP: hand a message to Dovecot for several mailboxes at once."""

import smtplib
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings


class LmtpUnavailable(Exception):
    """Dovecot's LMTP could not be reached: try again later."""


def _connect() -> smtplib.LMTP:
    """The first of LMTP_HOSTS that answers, or the LMTP_SOCKET when none is set. Only the
    connection is tried elsewhere: nothing of the transaction has been sent yet."""
    if not settings.LMTP_HOSTS:
        return smtplib.LMTP(settings.LMTP_SOCKET)
    failures = []
    for host, port in settings.LMTP_HOSTS:
        try:
            return smtplib.LMTP(host, port, timeout=settings.LMTP_TIMEOUT)
        except (OSError, smtplib.SMTPException) as exc:
            failures.append(f"{host}:{port}: {exc}")
    raise LmtpUnavailable("; ".join(failures))


@dataclass
class LmtpOutcome:
    delivered: list[str] = field(default_factory=list)
    deferred: dict[str, str] = field(default_factory=dict)  # 4xx: try again later
    rejected: dict[str, str] = field(default_factory=dict)  # 5xx: will never succeed


def lmtp_deliver(
    raw: bytes,
    *,
    mail_from: str,
    imap_users: list[str],
    before_data: Callable[[list[str]], None] | None = None,
) -> LmtpOutcome:
    """One LMTP transaction. LMTP answers DATA once per accepted recipient (RFC 2033 §4.2),
    which smtplib does not read by itself, so the extra replies are read here.
    ``before_data`` is told the accepted users just before the message is sent: from then
    on Dovecot may store it even if no reply comes back."""
    outcome = LmtpOutcome()
    try:
        with _connect() as lmtp:
            lmtp.ehlo_or_helo_if_needed()
            code, reply = lmtp.mail(mail_from)
            if code >= 400:
                target = outcome.deferred if code < 500 else outcome.rejected
                for user in imap_users:
                    target[user] = reply.decode(errors="replace")
                return outcome
            accepted = []
            for user in imap_users:
                code, reply = lmtp.rcpt(user)
                if code < 400:
                    accepted.append(user)
                elif code < 500:
                    outcome.deferred[user] = reply.decode(errors="replace")
                else:
                    outcome.rejected[user] = reply.decode(errors="replace")
            if not accepted:
                return outcome
            if before_data is not None:
                before_data(accepted)
            code, reply = lmtp.data(raw)
            for index, user in enumerate(accepted):
                if index:
                    code, reply = lmtp.getreply()
                if code < 400:
                    outcome.delivered.append(user)
                elif code < 500:
                    outcome.deferred[user] = reply.decode(errors="replace")
                else:
                    outcome.rejected[user] = reply.decode(errors="replace")
    except (OSError, smtplib.SMTPException) as exc:
        raise LmtpUnavailable(str(exc)) from exc
    return outcome
