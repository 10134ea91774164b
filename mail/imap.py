"""The only module that speaks IMAP. Sessions log in as ``user*master`` and stay warm.

Every folder name and UID crosses ``_check_folder``/``_check_uid`` before reaching the server,
so no caller can inject IMAP syntax.
"""

import contextlib
import re
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from email.header import decode_header, make_header

import imapclient
from django.conf import settings
from imapclient.exceptions import IMAPClientError

# How long an unused connection may sit before a NOOP proves it alive again.
_VERIFY_AFTER_SECONDS = 2.0


class MailStoreUnavailable(Exception):
    """Dovecot could not be reached or refused the master login."""


class InvalidRequest(ValueError):
    """A folder name or UID that cannot be valid."""


_FOLDER_RE = re.compile(r"^[^\x00-\x1f\x7f*%\\\"]{1,255}$")


def _check_folder(name: str) -> str:
    if not _FOLDER_RE.match(name) or name.startswith("/") or "//" in name:
        raise InvalidRequest(f"invalid folder name {name!r}")
    return name


def _check_uid(uid: int) -> int:
    if not isinstance(uid, int) or not 0 < uid < 2**32:
        raise InvalidRequest(f"invalid UID {uid!r}")
    return uid


def decode_words(value: bytes | str | None) -> str:
    """RFC 2047 encoded words to text, tolerating unknown charsets and broken encodings."""
    if value is None:
        return ""
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    try:
        return str(make_header(decode_header(value)))
    except (LookupError, UnicodeError, ValueError):
        return value


@dataclass(frozen=True)
class EnvelopeSummary:
    uid: int
    subject: str
    sender_name: str
    sender_address: str
    date: datetime | None
    size: int
    seen: bool
    flagged: bool


@dataclass(frozen=True)
class MessagePage:
    folder: str
    envelopes: list[EnvelopeSummary]
    total: int
    page: int
    page_size: int

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total // self.page_size))


def _summary(uid: int, data: dict) -> EnvelopeSummary:
    envelope = data.get(b"ENVELOPE")
    sender_name = sender_address = ""
    subject = ""
    date = None
    if envelope is not None:
        subject = decode_words(envelope.subject)
        date = envelope.date
        people = envelope.from_ or envelope.sender or ()
        if people:
            person = people[0]
            sender_name = decode_words(person.name)
            mailbox = (person.mailbox or b"").decode("utf-8", "replace")
            host = (person.host or b"").decode("utf-8", "replace")
            sender_address = f"{mailbox}@{host}" if host else mailbox
    flags = data.get(b"FLAGS", ())
    return EnvelopeSummary(
        uid=uid,
        subject=subject,
        sender_name=sender_name,
        sender_address=sender_address,
        date=date or data.get(b"INTERNALDATE"),
        size=data.get(b"RFC822.SIZE", 0),
        seen=imapclient.SEEN in flags,
        flagged=imapclient.FLAGGED in flags,
    )


class MailboxSession:
    """One logged-in IMAP connection to one Dovecot user, remembering the selected folder."""

    def __init__(self, client: imapclient.IMAPClient):
        self._client = client
        self._selected: str | None = None

    def _select(self, folder: str) -> dict:
        folder = _check_folder(folder)
        if self._selected != folder:
            self._selected = None
            info = self._client.select_folder(folder)
            self._selected = folder
            return info
        return {}

    def list_page(self, folder: str, *, page: int, page_size: int) -> MessagePage:
        """Newest first by the Date header (the server falls back to arrival time without one,
        RFC 5256), one page of envelopes."""
        self._select(folder)
        uids = self._client.sort(["REVERSE DATE"], "ALL")
        total = len(uids)
        page = max(1, page)
        page_uids = uids[(page - 1) * page_size : page * page_size]
        envelopes = []
        if page_uids:
            data = self._client.fetch(
                page_uids, ["ENVELOPE", "FLAGS", "RFC822.SIZE", "INTERNALDATE"]
            )
            envelopes = [_summary(uid, data[uid]) for uid in page_uids if uid in data]
        return MessagePage(folder, envelopes, total, page, page_size)

    def fetch_raw(self, folder: str, uid: int, *, mark_seen: bool = True) -> bytes | None:
        """The whole message, or None when no such UID exists in the folder."""
        self._select(folder)
        item = "BODY[]" if mark_seen else "BODY.PEEK[]"
        data = self._client.fetch([_check_uid(uid)], [item])
        if uid not in data:
            return None
        return data[uid].get(b"BODY[]")

    def noop(self) -> None:
        self._client.noop()

    def logout(self) -> None:
        with contextlib.suppress(IMAPClientError, OSError):
            self._client.logout()


def _connect(imap_user: str) -> MailboxSession:
    try:
        client = imapclient.IMAPClient(
            settings.IMAP_HOST, port=settings.IMAP_PORT, ssl=False, timeout=settings.IMAP_TIMEOUT
        )
        client.login(f"{imap_user}*{settings.DOVECOT_MASTER_USER}", settings.DOVECOT_MASTER_SECRET)
    except (IMAPClientError, OSError, ssl.SSLError) as exc:
        raise MailStoreUnavailable(f"IMAP connection for {imap_user} failed: {exc}") from exc
    return MailboxSession(client)


class _Pool:
    """Idle sessions per Dovecot user; a session is used by one thread at a time."""

    def __init__(self):
        self._idle: dict[str, list[tuple[float, MailboxSession]]] = {}
        self._lock = threading.Lock()

    def take(self, imap_user: str) -> MailboxSession:
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
            self._idle.setdefault(imap_user, []).append((time.monotonic(), session))

    def clear(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, {}
        for stack in idle.values():
            for _, session in stack:
                session.logout()


_pool = _Pool()


@contextmanager
def imap_session(imap_user: str) -> Iterator[MailboxSession]:
    """A warm session on ``imap_user``'s mailbox; errors from the server become
    MailStoreUnavailable and the broken connection is dropped."""
    session = _pool.take(imap_user)
    try:
        yield session
    except imapclient.exceptions.IMAPClientAbortError as exc:
        session.logout()
        raise MailStoreUnavailable(str(exc)) from exc
    except IMAPClientError as exc:
        # The server refused one command (e.g. no such folder); the connection is still good.
        _pool.give_back(imap_user, session)
        raise InvalidRequest(str(exc)) from exc
    except (TimeoutError, OSError) as exc:
        session.logout()
        raise MailStoreUnavailable(str(exc)) from exc
    except BaseException:
        session.logout()
        raise
    else:
        _pool.give_back(imap_user, session)


def close_all_sessions() -> None:
    _pool.clear()
