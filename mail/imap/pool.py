"""Warm IMAP connections, one user at a time per connection, reused across requests."""

import contextlib
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import imapclient
from django.conf import settings
from imapclient.exceptions import IMAPClientAbortError, IMAPClientError

from mail.imap.session import MailboxSession
from mail.imap.types import InvalidRequest, MailStoreUnavailable

# How long an unused connection may sit before a NOOP proves it alive again.
_VERIFY_AFTER_SECONDS = 2.0


def imap_endpoints() -> list[tuple[str, int]]:
    """IMAP_HOSTS in order, or IMAP_HOST:IMAP_PORT when it is empty."""
    return list(settings.IMAP_HOSTS) or [(settings.IMAP_HOST, settings.IMAP_PORT)]


def _connect(imap_user: str) -> MailboxSession:
    """Logged in at the first endpoint that answers. A refused login is not retried
    elsewhere: every endpoint (Dovecot proxies) would refuse it the same way."""
    failures = []
    for host, port in imap_endpoints():
        try:
            client = imapclient.IMAPClient(
                host, port=port, ssl=False, timeout=settings.IMAP_TIMEOUT
            )
        except (OSError, ssl.SSLError) as exc:
            failures.append(f"{host}:{port}: {exc}")
            continue
        try:
            client.login(
                f"{imap_user}*{settings.DOVECOT_MASTER_USER}", settings.DOVECOT_MASTER_SECRET
            )
        except (IMAPClientError, OSError, ssl.SSLError) as exc:
            with contextlib.suppress(Exception):
                client.shutdown()
            raise MailStoreUnavailable(f"IMAP login for {imap_user} failed: {exc}") from exc
        return MailboxSession(client, imap_user)
    raise MailStoreUnavailable(f"IMAP connection for {imap_user} failed: {'; '.join(failures)}")


class _Pool:
    """Idle sessions per Dovecot user; a session is used by one thread at a time. Emptied
    (``clear``), the pool takes back no session that was in use then: a request still running
    would otherwise hand a warm session back to a pool meant to be empty."""

    def __init__(self):
        self._idle: dict[str, list[tuple[float, MailboxSession]]] = {}
        self._lock = threading.Lock()
        self._generation = 0  # how many times the pool was emptied

    def take(self, imap_user: str) -> MailboxSession:
        session = self._take(imap_user)
        session.pool_generation = self._generation
        return session

    def _take(self, imap_user: str) -> MailboxSession:
        while True:
            with self._lock:
                stack = self._idle.get(imap_user)
                entry = stack.pop() if stack else None
            if entry is None:
                return _connect(imap_user)
            last_used, session = entry
            if time.monotonic() - last_used > settings.IMAP_IDLE_SECONDS:
                session.logout()
                continue
            if time.monotonic() - last_used > _VERIFY_AFTER_SECONDS:
                try:
                    session.noop()
                except (IMAPClientError, OSError):
                    continue
            return session

    def give_back(self, imap_user: str, session: MailboxSession) -> None:
        with self._lock:
            current = session.pool_generation == self._generation
            if current:
                self._idle.setdefault(imap_user, []).append((time.monotonic(), session))
        if not current:
            with contextlib.suppress(Exception):
                session.logout()

    def clear(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, {}
            self._generation += 1
        for stack in idle.values():
            for _, session in stack:
                with contextlib.suppress(Exception):
                    session.logout()


_pool = _Pool()


@contextmanager
def imap_session(imap_user: str) -> Iterator[MailboxSession]:
    """A warm session on ``imap_user``'s mailbox. A lost connection becomes
    MailStoreUnavailable and is dropped; a refused command becomes InvalidRequest."""
    session = _pool.take(imap_user)
    try:
        yield session
    except IMAPClientAbortError as exc:
        session.logout()
        raise MailStoreUnavailable(str(exc)) from exc
    except IMAPClientError as exc:
        # The server refused one command (e.g. no such folder); the connection is still good.
        session.forget_selection()
        _pool.give_back(imap_user, session)
        raise InvalidRequest(str(exc)) from exc
    except OSError as exc:
        session.logout()
        raise MailStoreUnavailable(str(exc)) from exc
    except InvalidRequest:
        session.forget_selection()
        _pool.give_back(imap_user, session)
        raise
    except BaseException:
        session.logout()
        raise
    else:
        _pool.give_back(imap_user, session)


def close_all_sessions() -> None:
    _pool.clear()
