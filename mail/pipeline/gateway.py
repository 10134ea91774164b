"""aiosmtpd handlers. Django's ORM runs in worker threads, never on the event loop."""

import hmac
import logging
from concurrent.futures import ThreadPoolExecutor
from email.utils import formatdate

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.db import close_old_connections

from accounts.app_passwords import authenticate_app_password, looks_like_app_password
from accounts.mfa_policy import has_second_factor
from convergence.mail_domains import is_local
from directory import lists, moderation
from mail.models import Mailbox
from mail.outgoing.sending import sender_mailboxes
from mail.pipeline.folder_delivery import is_folder_address
from mail.pipeline.spool import spool_message

logger = logging.getLogger(__name__)
# The identity of the académie's automatic mail (mail/smtp.py submit_system): not an account.
SYSTEM_SENDER = object()
_auth_threads = ThreadPoolExecutor(max_workers=4, thread_name_prefix="smtp-auth")


def _known_address(address: str) -> bool:
    close_old_connections()
    return Mailbox.objects.filter(address=address.lower()).exists() or is_folder_address(address)


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


def _spool(raw: bytes, mail_from: str, recipients: list[str], user) -> str:
    close_old_connections()
    recipients = moderation.hold(raw, mail_from, recipients)  # moderated lists: kept aside
    if not recipients:
        return "moderation"
    raw = lists.list_headers(recipients) + raw  # List-Id… when it goes to a list
    return str(spool_message(raw, mail_from=mail_from, recipients=recipients, submitted_by=user).id)


def _own_addresses(user) -> set[str]:
    """The account's address and every mailbox it may send from (own, «en tant que»,
    «de la part de»), named or through a role, checked again at each message."""
    if user is SYSTEM_SENDER:
        return {settings.SYSTEM_MAIL_FROM.lower()}
    close_old_connections()
    addresses = {user.email.lower()}
    addresses.update(sender_mailboxes(user).values_list("address", flat=True))
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
        raw = _received_header(session, envelope, self.port_name) + envelope.original_content
        user = getattr(session, "auth_data", None)
        if user is SYSTEM_SENDER:
            user = None
        try:
            spool_id = await sync_to_async(_spool, thread_sensitive=False)(
                raw, envelope.mail_from, list(envelope.rcpt_tos), user
            )
        except Exception:
            logger.exception("spooling failed")
            return "451 4.3.0 Temporary failure, please try again later"
        return f"250 2.0.0 Ok: queued as {spool_id}"


class InboundHandler(_SpoolingHandler):
    """Port 25 role: accept mail for existing local mailboxes only."""

    port_name = "inbound"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
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


class AccountAuthenticator:
    """Verifies app passwords and the account's own password, as Dovecot does."""

    def __call__(self, server, session, envelope, mechanism, auth_data):
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login = auth_data.login.decode("utf-8", "replace")
        password = auth_data.password.decode("utf-8", "replace")
        # aiosmtpd calls authenticators synchronously; the ORM must not run on the loop thread.
        try:
            user = _auth_threads.submit(_check_credentials, login, password).result(timeout=30)
        except Exception:
            logger.exception("credential check failed")
            return AuthResult(success=False, handled=True, message="454 4.7.0 Try again later")
        if user is None:
            logger.info("submission: failed login for %r", login)
            return AuthResult(success=False, handled=False)
        return AuthResult(success=True, auth_data=user)


def _controller(handler, port: int, **smtp_kwargs) -> Controller:
    return Controller(
        handler,
        hostname=settings.GATEWAY_HOST,
        port=port,
        server_hostname=settings.MAIL_DOMAIN,
        data_size_limit=settings.GATEWAY_MAX_MESSAGE_SIZE,
        **smtp_kwargs,
    )


def submission_controller(port: int) -> Controller:
    return _controller(
        SubmissionHandler(),
        port,
        authenticator=AccountAuthenticator(),
        auth_required=True,
        auth_require_tls=settings.GATEWAY_REQUIRE_TLS,
    )


def build_controllers(inbound_port: int, submission_port: int) -> list[Controller]:
    return [_controller(InboundHandler(), inbound_port), submission_controller(submission_port)]
