"""aiosmtpd handlers. Django's ORM runs in worker threads, never on the event loop."""

import asyncio
import hmac
import logging
import ssl
import threading
from concurrent.futures import ThreadPoolExecutor
from email.utils import formatdate

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword, syntax
from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.db import close_old_connections

from accounts import lockout
from accounts.app_passwords import authenticate_app_password, looks_like_app_password
from accounts.mfa_policy import has_second_factor
from calendar_app import room_mail
from convergence.mail_domains import is_local
from directory import lists, moderation
from mail.models import Mailbox
from mail.outgoing.sending import sender_mailboxes
from mail.pipeline.data_stream import SpoolWriter, stream_data
from mail.pipeline.folder_delivery import is_folder_address
from mail.pipeline.gateway_limits import connections, too_many_recipients
from mail.pipeline.spool import fingerprint, spool_file

logger = logging.getLogger(__name__)
# The identity of the académie's automatic mail (mail/smtp.py submit_system): not an account.
SYSTEM_SENDER = object()
# Credential checks run in these threads; beyond _check_slots in flight or waiting, a new
# AUTH is told to try again later rather than queue (a brute force cannot pile them up).
_auth_threads = ThreadPoolExecutor(max_workers=4, thread_name_prefix="smtp-auth")
_check_slots = threading.BoundedSemaphore(32)
_TRY_LATER = "454 4.7.0 Try again later"


def _known_address(address: str) -> bool:
    close_old_connections()
    return (Mailbox.objects.filter(address=address.lower()).exists()
            or is_folder_address(address) or room_mail.is_room(address))  # fmt: skip


def _list_refusal(address: str, sender: str | None) -> str | None:
    """Why a distribution list refuses this sender (None: not a list, or allowed). Lists
    take mail from the académie's own senders only, never from outside."""
    close_old_connections()
    dlist = lists.find(address)
    if dlist is None:
        return None
    if sender is None or not lists.may_post(dlist, sender):
        return "550 5.7.1 This distribution list does not accept mail from this sender"
    return None


def _spool(received: SpoolWriter, mail_from: str, recipients: list[str], user) -> str:
    """The streamed file (Received: and the message) copied into the spool's rows in chunks;
    read into memory only for a moderated list, whose held copy is a database row. A resend
    of a message already spooled is answered with the first copy's id (spool_message)."""
    close_old_connections()
    path = received.path
    same = fingerprint(received.message_id, received.digest, mail_from, recipients)
    if moderation.moderated_among(mail_from, recipients).exists():
        recipients = moderation.hold(path.read_bytes(), mail_from, recipients)
        if not recipients:
            return "moderation"
    prefix = lists.list_headers(recipients) or b""  # List-Id… when it goes to a list
    return str(spool_file(path, prefix=prefix, mail_from=mail_from, recipients=recipients,
                          submitted_by=user, fingerprint=same).id)  # fmt: skip


def _own_addresses(user) -> set[str]:
    """The account's address and every mailbox it may send from (own, «en tant que»,
    «de la part de»), named or through a role, checked again at each message."""
    if user is SYSTEM_SENDER:
        return {settings.SYSTEM_MAIL_FROM.lower()}
    close_old_connections()
    addresses = {user.email.lower()}
    addresses.update(sender_mailboxes(user).values_list("address", flat=True))
    addresses.update(room_mail.addresses_sent_by(user))  # a room's answers
    return addresses


def _received_header(session, envelope, port_name: str) -> bytes:
    peer = session.peer[0] if session.peer else "unknown"
    return (
        f"Received: from {session.host_name or 'unknown'} ([{peer}])\r\n"
        f"\tby {settings.MAIL_DOMAIN} (Convergence {port_name});\r\n"
        f"\t{formatdate(localtime=True)}\r\n"
    ).encode("ascii", "replace")


class _SpoolingHandler:
    port_name = "gateway"

    async def handle_DATA(self, server, session, envelope):
        """The message is already on disk (GatewaySMTP.smtp_DATA streamed it there)."""
        user = getattr(session, "auth_data", None)
        if user is SYSTEM_SENDER:
            user = None
        try:
            spool_id = await sync_to_async(_spool, thread_sensitive=False)(
                envelope.received, envelope.mail_from, list(envelope.rcpt_tos), user
            )
        except Exception:
            logger.exception("spooling failed")
            return "451 4.3.0 Temporary failure, please try again later"
        return f"250 2.0.0 Ok: queued as {spool_id}"


class InboundHandler(_SpoolingHandler):
    """Port 25 role: accept mail for existing local mailboxes only."""

    port_name = "inbound"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if refusal := too_many_recipients(envelope):
            return refusal
        if not is_local(address):
            return "550 5.7.1 Relaying denied"
        try:
            known = await sync_to_async(_known_address, thread_sensitive=False)(address)
            refusal = None if known else await sync_to_async(
                _list_refusal, thread_sensitive=False)(address, None)
        except Exception:
            logger.exception("recipient check failed")
            return "451 4.3.0 Temporary failure, please try again later"
        if not known:
            return refusal or "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 Ok"


class SubmissionHandler(_SpoolingHandler):
    """Port 587 role: authenticated users only, sending from their own addresses."""

    port_name = "submission"

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if not session.authenticated:
            return "530 5.7.0 Authentication required"
        try:
            owned = await sync_to_async(_own_addresses, thread_sensitive=False)(session.auth_data)
        except Exception:
            logger.exception("sender check failed")
            return "451 4.3.0 Temporary failure, please try again later"
        if address.lower() not in owned:
            return "553 5.7.1 Sender address not owned by the authenticated user"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 2.1.0 Ok"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if not session.authenticated:
            return "530 5.7.0 Authentication required"
        if refusal := too_many_recipients(envelope):
            return refusal
        if is_local(address):
            try:
                refusal = await sync_to_async(_list_refusal, thread_sensitive=False)(
                    address, envelope.mail_from
                )
            except Exception:
                logger.exception("recipient check failed")
                return "451 4.3.0 Temporary failure, please try again later"
            if refusal:
                return refusal
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 Ok"


def _check_credentials(login: str, password: str):
    """An app password, the account's own password (only without a second factor), or
    ``login*master`` with the master secret: the web app submits what people write in the
    browser without ever holding their password."""
    close_old_connections()
    name, _, master = login.rpartition("*")
    if login == f"*{settings.DOVECOT_MASTER_USER}":
        secret_ok = hmac.compare_digest(password.encode(), settings.DOVECOT_MASTER_SECRET.encode())
        return SYSTEM_SENDER if secret_ok else None
    if name and master == settings.DOVECOT_MASTER_USER:
        if not hmac.compare_digest(password.encode(), settings.DOVECOT_MASTER_SECRET.encode()):
            return None
        user = get_user_model().objects.filter(username=name).first()
        return user if user is not None and user.can_log_in else None
    if looks_like_app_password(password):
        user = authenticate_app_password(login, password)
        if user is not None:
            return user
    # Once a second factor is on, the account password alone no longer opens mail clients.
    user = authenticate(username=login, password=password)
    return user if user is not None and not has_second_factor(user) else None


def _verify(login: str, password: str, ip: str):
    """The credential check with the web sign-in's lockout: a delayed or locked account is
    not even checked, each failure counts for the account and the IP and is in its history."""
    close_old_connections()
    through_master = login.rpartition("*")[2] == settings.DOVECOT_MASTER_USER
    subject = lockout.subject_for(login)
    if lockout.seconds_to_wait(subject, ip=ip):
        return _WAIT
    user = _check_credentials(login, password)
    if user is None:
        lockout.register_failure(subject, ip=ip, channel="smtp")
    elif not through_master:
        lockout.register_success(user)
    return user


_WAIT = object()  # what _verify answers while the lockout makes the account or IP wait


class _Pending:
    """What AUTH PLAIN/LOGIN decoded, handed back by _authenticate to be checked off the loop."""

    def __init__(self, credentials: LoginPassword):
        self.login = credentials.login.decode("utf-8", "replace")
        self.password = credentials.password.decode("utf-8", "replace")


class GatewaySMTP(SMTP):
    """aiosmtpd's SMTP with the gateway's limits: connections per IP and in all (421 beyond),
    lines up to 1 MiB read (then re-wrapped) instead of refusing the message, and DATA
    streamed to a file in the spool directory (mail.pipeline.data_stream) rather than
    gathered in memory: the handler's envelope has ``received`` (the SpoolWriter: its file,
    Message-ID and digest), not the content."""

    line_length_limit = 1024 * 1024
    _admitted_ip: str | None = None

    def connection_made(self, transport):
        first = self.transport is None  # not the STARTTLS upgrade of a connection
        super().connection_made(transport)
        if first:
            ip = (self.session.peer or ("unknown",))[0]
            self._admitted_ip = ip if connections.admit(ip) else None

    def connection_lost(self, error):
        if self._admitted_ip is not None:
            connections.release(self._admitted_ip)
            self._admitted_ip = None
        super().connection_lost(error)

    async def _handle_client(self):
        if self._admitted_ip is None:
            await self.push("421 4.7.0 Too many connections, try again later")
            self.transport.close()
            return
        await super()._handle_client()

    @syntax("DATA")
    async def smtp_DATA(self, arg: str) -> None:
        if await self.check_helo_needed() or await self.check_auth_needed("DATA"):
            return
        if not self.envelope.rcpt_tos:
            return await self.push("503 Error: need RCPT command")
        if arg:
            return await self.push("501 Syntax: DATA")
        await self.push("354 End data with <CR><LF>.<CR><LF>")
        port_name = getattr(self.event_handler, "port_name", "gateway")
        received = _received_header(self.session, self.envelope, port_name)
        writer, status = await stream_data(self, received)
        if writer is not None:
            self.envelope.received = writer
            try:
                status = await self._call_handler_hook("DATA")
            finally:
                writer.path.unlink(missing_ok=True)  # copied into the spool, unless it failed
        self._set_post_data_state()
        await self.push(status)


class SubmissionSMTP(GatewaySMTP):
    """aiosmtpd's AUTH PLAIN and LOGIN, whose credential check (Argon2: a tenth of a second,
    64 MiB) is awaited in a thread, so the event loop keeps serving every other session."""

    def _authenticate(self, mechanism: str, auth_data) -> _Pending:
        return _Pending(auth_data)

    async def auth_PLAIN(self, server, args):
        return await self._checked(await super().auth_PLAIN(server, args))

    async def auth_LOGIN(self, server, args):
        return await self._checked(await super().auth_LOGIN(server, args))

    async def _checked(self, result):
        if not isinstance(result, _Pending):
            return result  # a syntax error, already answered
        if not _check_slots.acquire(blocking=False):
            return AuthResult(success=False, handled=False, message=_TRY_LATER)
        try:
            user = await asyncio.get_running_loop().run_in_executor(
                _auth_threads, _verify, result.login, result.password, self.session.peer[0]
            )
        except Exception:
            logger.exception("credential check failed")
            return AuthResult(success=False, handled=False, message=_TRY_LATER)
        finally:
            _check_slots.release()
        if user is _WAIT:
            return AuthResult(success=False, handled=False, message=_TRY_LATER)
        if user is None:
            logger.info("submission: failed login for %r", result.login)
            return AuthResult(success=False, handled=False)
        return AuthResult(success=True, auth_data=user)


class _GatewayController(Controller):
    smtp_class = GatewaySMTP

    def factory(self):
        # Read at each connection: the command-phase idle timeout.
        return self.smtp_class(
            self.handler, timeout=settings.GATEWAY_IDLE_SECONDS, **self.SMTP_kwargs
        )


class _SubmissionController(_GatewayController):
    smtp_class = SubmissionSMTP


def _controller(
    handler, port: int, controller=_GatewayController, **smtp_kwargs
) -> Controller:
    return controller(
        handler,
        hostname=settings.GATEWAY_HOST,
        port=port,
        server_hostname=settings.MAIL_DOMAIN,
        data_size_limit=settings.GATEWAY_MAX_MESSAGE_SIZE,
        **smtp_kwargs,
    )


def tls_context() -> ssl.SSLContext | None:
    """The server side of TLS from TLS_CERT_FILE and TLS_KEY_FILE; None without them."""
    if not settings.TLS_CERT_FILE:
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(settings.TLS_CERT_FILE, settings.TLS_KEY_FILE or None)
    return context


def submission_controller(port: int, *, implicit_tls: bool = False) -> Controller:
    """Port 587's role, with STARTTLS when a certificate is set; ``implicit_tls``: as on 465,
    TLS from the first byte (AUTH is then always inside TLS)."""
    context = tls_context()
    if implicit_tls:
        return _controller(SubmissionHandler(), port, controller=_SubmissionController,
                           ssl_context=context, auth_required=True,
                           auth_require_tls=False)  # fmt: skip
    return _controller(SubmissionHandler(), port, controller=_SubmissionController,
                       tls_context=context, auth_required=True,
                       auth_require_tls=settings.GATEWAY_REQUIRE_TLS)  # fmt: skip


def build_controllers(inbound_port: int, submission_port: int) -> list[Controller]:
    controllers = [
        _controller(InboundHandler(), inbound_port, tls_context=tls_context()),
        submission_controller(submission_port),
    ]
    if settings.GATEWAY_SUBMISSIONS_PORT and settings.TLS_CERT_FILE:
        controllers.append(
            submission_controller(settings.GATEWAY_SUBMISSIONS_PORT, implicit_tls=True)
        )
    return controllers
