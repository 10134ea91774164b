"""The only module that speaks outbound SMTP: to the smarthost, or into our own gateway."""

import smtplib

from django.conf import settings


class RelayUnavailable(Exception):
    pass


def relay(raw: bytes, *, mail_from: str, recipients: list[str]) -> dict[str, str]:
    """Send through SMARTHOST (host:port); returns the recipients it refused, each with the
    reply's code first («550 5.1.1 …»: 4xx is for later, 5xx for good)."""
    host, _, port = settings.SMARTHOST.rpartition(":")
    try:
        with smtplib.SMTP(host or settings.SMARTHOST, int(port or 25), timeout=30) as client:
            refused = client.sendmail(mail_from, recipients, raw)
    except smtplib.SMTPRecipientsRefused as exc:
        refused = exc.recipients
    except (OSError, smtplib.SMTPException) as exc:
        raise RelayUnavailable(str(exc)) from exc
    return {
        rcpt: f"{code} {text.decode(errors='replace')}" for rcpt, (code, text) in refused.items()
    }


class GatewayUnavailable(Exception):
    """The gateway's port did not answer or dropped the connection (is it running?)."""


class GatewayRejected(Exception):
    """The gateway answered but refused the message or some of its recipients."""


class GatewayClient:
    """One SMTP connection to the gateway, reused for many messages (seed_demo sends hundreds)."""

    def __init__(self, host: str, port: int, *, login: tuple[str, str] | None = None) -> None:
        self.where = f"{host}:{port}"
        try:
            self._client = smtplib.SMTP(host, port, timeout=30)
            if login:
                self._client.login(*login)
        except smtplib.SMTPAuthenticationError as exc:
            raise GatewayRejected(f"{self.where}: {exc}") from exc
        except OSError as exc:  # refused, unreachable, timed out
            raise GatewayUnavailable(f"{self.where}: {exc}") from exc

    def send(self, raw: bytes, *, mail_from: str, recipients: list[str]) -> None:
        """Returns once the gateway answered 250, i.e. the message is in its durable spool.

        The gateway takes GATEWAY_MAX_RECIPIENTS a transaction (452 beyond, as RFC 5321
        allows from 100 on): a message to more, a teacher writing to every parent of four
        classes, goes in several transactions, as Postfix's own client does."""
        limit = max(1, settings.GATEWAY_MAX_RECIPIENTS)
        batches = [recipients[i:i + limit] for i in range(0, len(recipients), limit)]
        for batch in batches or [recipients]:
            self._send_once(raw, mail_from, batch)

    def _send_once(self, raw: bytes, mail_from: str, recipients: list[str]) -> None:
        try:
            refused = self._client.sendmail(mail_from, recipients, raw)
        # SMTPException is an OSError: the gateway's refusals are told apart from transport.
        except (
            smtplib.SMTPRecipientsRefused,
            smtplib.SMTPSenderRefused,
            smtplib.SMTPDataError,
        ) as exc:
            raise GatewayRejected(f"{self.where}: {exc}") from exc
        except OSError as exc:
            raise GatewayUnavailable(f"{self.where}: {exc}") from exc
        if refused:
            raise GatewayRejected(f"{self.where} refused {sorted(refused)}")

    def close(self) -> None:
        try:
            self._client.quit()
        except OSError:  # already dropped: nothing left to close politely
            self._client.close()

    def __enter__(self) -> "GatewayClient":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def send_to_gateway(
    raw: bytes, *, mail_from: str, recipients: list[str], host: str, port: int
) -> None:
    """Hand one message to the gateway's inbound port, as another mail server would."""
    with GatewayClient(host, port) as client:
        client.send(raw, mail_from=mail_from, recipients=recipients)


def submit_as(username: str, raw: bytes, *, mail_from: str, recipients: list[str]) -> None:
    """Submit a message written in the web app, on the submission port, as that user."""
    credentials = (f"{username}*{settings.DOVECOT_MASTER_USER}", settings.DOVECOT_MASTER_SECRET)
    with GatewayClient(
        settings.GATEWAY_HOST, settings.GATEWAY_SUBMISSION_PORT, login=credentials
    ) as client:
        client.send(raw, mail_from=mail_from, recipients=recipients)


def submit_system(raw: bytes, *, recipients: list[str]) -> None:
    """The académie's automatic mail (recovery codes, warnings), sent as SYSTEM_MAIL_FROM.

    ``*master`` with no account name before the star: the gateway lets this identity send
    from SYSTEM_MAIL_FROM only.
    """
    credentials = (f"*{settings.DOVECOT_MASTER_USER}", settings.DOVECOT_MASTER_SECRET)
    with GatewayClient(
        settings.GATEWAY_HOST, settings.GATEWAY_SUBMISSION_PORT, login=credentials
    ) as client:
        client.send(raw, mail_from=settings.SYSTEM_MAIL_FROM, recipients=recipients)
