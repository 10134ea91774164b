"""Values that cross the IMAP boundary, validated on the way in."""

import re
from dataclasses import dataclass
from datetime import date, datetime
from email.header import decode_header, make_header
from enum import StrEnum


class MailStoreUnavailable(Exception):
    """Dovecot could not be reached or refused the master login."""


class InvalidRequest(ValueError):
    """A folder name, UID or search that cannot be valid, or a command the server refused."""


_FOLDER_RE = re.compile(r"^[^\x00-\x1f\x7f*%\\\"]{1,255}$")
MAX_UIDS_PER_COMMAND = 5000


def check_folder(name: str) -> str:
    if not _FOLDER_RE.match(name) or name.startswith("/") or "//" in name or name.endswith("/"):
        raise InvalidRequest(f"invalid folder name {name!r}")
    return name


def check_uid(uid: int) -> int:
    if not isinstance(uid, int) or isinstance(uid, bool) or not 0 < uid < 2**32:
        raise InvalidRequest(f"invalid UID {uid!r}")
    return uid


def check_uids(uids) -> list[int]:
    checked = sorted({check_uid(uid) for uid in uids})
    if not checked or len(checked) > MAX_UIDS_PER_COMMAND:
        raise InvalidRequest("no message selected, or too many")
    return checked


_KEYWORD_RE = re.compile(r"^\$?[A-Za-z0-9_.-]{1,64}$")
SYSTEM_FLAGS = {"\\Seen", "\\Flagged", "\\Answered"}


def check_flags(flags) -> list[str]:
    """System flags we set on purpose, or keywords (RFC 3501 atoms, e.g. ``$label1``)."""
    checked = []
    for flag in flags:
        if flag not in SYSTEM_FLAGS and not _KEYWORD_RE.match(flag):
            raise InvalidRequest(f"invalid flag {flag!r}")
        checked.append(flag)
    return sorted(set(checked))


def check_text(value: str, *, limit: int = 200) -> str:
    """Search text goes to the server as a literal; control characters never do."""
    value = " ".join(value.split())
    if len(value) > limit or any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise InvalidRequest("invalid search text")
    return value


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


class SortKey(StrEnum):
    DATE = "date"
    FROM = "from"
    SUBJECT = "subject"
    SIZE = "size"


SPECIAL_USES = {
    b"\\Drafts": "drafts",
    b"\\Sent": "sent",
    b"\\Trash": "trash",
    b"\\Junk": "junk",
    b"\\Archive": "archive",
}


@dataclass(frozen=True)
class Folder:
    name: str
    delimiter: str
    special_use: str | None
    subscribed: bool
    total: int
    unread: int
    selectable: bool = True

    @property
    def depth(self) -> int:
        return self.name.count(self.delimiter) if self.delimiter else 0

    @property
    def leaf(self) -> str:
        return self.name.rsplit(self.delimiter, 1)[-1] if self.delimiter else self.name


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
    has_attachments: bool
    folder: str = ""
    message_id: str = ""
    keywords: frozenset[str] = frozenset()


class _Paged:
    total: int
    page_size: int

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total // self.page_size))


@dataclass(frozen=True)
class MessagePage(_Paged):
    folder: str
    envelopes: list[EnvelopeSummary]
    total: int
    page: int
    page_size: int


@dataclass(frozen=True)
class Conversation:
    """Messages linked by References/In-Reply-To (RFC 5256 THREAD=REFERENCES), oldest first."""

    envelopes: list[EnvelopeSummary]

    @property
    def latest(self) -> EnvelopeSummary:
        return self.envelopes[-1]

    @property
    def first(self) -> EnvelopeSummary:
        return self.envelopes[0]

    @property
    def unread(self) -> int:
        return sum(1 for envelope in self.envelopes if not envelope.seen)

    @property
    def flagged(self) -> bool:
        return any(envelope.flagged for envelope in self.envelopes)

    @property
    def has_attachments(self) -> bool:
        return any(envelope.has_attachments for envelope in self.envelopes)

    @property
    def senders(self) -> list[str]:
        names = [e.sender_name or e.sender_address for e in self.envelopes]
        return list(dict.fromkeys(names))


@dataclass(frozen=True)
class ConversationPage(_Paged):
    folder: str
    conversations: list[Conversation]
    total: int
    page: int
    page_size: int


@dataclass(frozen=True)
class SearchQuery:
    """What the user searches for; every field optional. Built by the form, checked here."""

    text: str = ""
    sender: str = ""
    recipient: str = ""
    subject: str = ""
    since: date | None = None
    before: date | None = None
    unread: bool = False
    flagged: bool = False
    with_attachments: bool = False
    min_size: int | None = None

    def criteria(self) -> list:
        """IMAP SEARCH criteria (imapclient quotes strings as literals). ``with_attachments``
        is not among them: the session keeps the hits whose BODYSTRUCTURE shows one."""
        criteria: list = []
        if self.text:
            criteria += ["TEXT", check_text(self.text)]
        if self.sender:
            criteria += ["FROM", check_text(self.sender)]
        if self.recipient:
            criteria += ["OR", "TO", check_text(self.recipient), "CC", check_text(self.recipient)]
        if self.subject:
            criteria += ["SUBJECT", check_text(self.subject)]
        if self.since:
            criteria += ["SINCE", self.since]
        if self.before:
            criteria += ["BEFORE", self.before]
        if self.unread:
            criteria.append("UNSEEN")
        if self.flagged:
            criteria.append("FLAGGED")
        if self.min_size:
            criteria += ["LARGER", int(self.min_size)]
        return criteria or ["ALL"]

    @property
    def is_empty(self) -> bool:
        return self.criteria() == ["ALL"] and not self.with_attachments
