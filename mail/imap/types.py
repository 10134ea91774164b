"""Values that cross the IMAP boundary, validated on the way in."""

import re
from dataclasses import dataclass
from datetime import date, datetime
from email.header import decode_header, make_header
from enum import StrEnum

from django.utils.translation import gettext_lazy as _
from imapclient.imapclient import _literal


class MailStoreUnavailable(Exception):
    """Dovecot could not be reached or refused the master login."""


class InvalidRequest(ValueError):
    """A folder name, UID or search that cannot be valid, or a command the server refused.
    ``reason`` is what the user may be told (translated), when there is more to say."""

    def __init__(self, detail: str, reason: str = ""):
        super().__init__(detail)
        self.reason = reason


_FOLDER_RE = re.compile(r"^[^\x00-\x1f\x7f*%\\\"]{1,255}$")
# Names Dovecot's Maildir keeps for itself, or refuses as a path: refused here with a reason
# rather than by the server with an English one.
_RESERVED_PARTS = {".", "..", "cur", "new", "tmp"}
_RESERVED_PREFIXES = ("dovecot.", "dovecot-")
MAX_UIDS_PER_COMMAND = 5000


def check_folder(name: str) -> str:
    if not _FOLDER_RE.match(name) or name.startswith("/") or "//" in name or name.endswith("/"):
        raise InvalidRequest(
            f"invalid folder name {name!r}",
            _('A folder name cannot contain * % \\ " or control characters.'),
        )
    parts = name.split("/")
    if any(
        part in _RESERVED_PARTS or part.lower().startswith(_RESERVED_PREFIXES) for part in parts
    ) or name.startswith("~"):
        raise InvalidRequest(
            f"reserved folder name {name!r}",
            _(
                "This folder name is reserved by the mail server (., .., cur, new, tmp, "
                "dovecot…, or a name starting with ~)."
            ),
        )
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
    """Search text without control characters (they never reach the server)."""
    value = " ".join(value.split())
    if len(value) > limit or any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise InvalidRequest(
            "invalid search text",
            _("This search cannot be run: it contains control characters or is too long."),
        )
    return value


def literal(value: str) -> bytes:
    """Checked search text as an IMAP literal (``{n}`` then the bytes), whatever it contains:
    imapclient leaves an ASCII string without spaces or quotes bare, so ``(`` or ``{5}`` would
    be read by the server as syntax. Its ``_literal`` marker is the only way to ask for one."""
    return _literal(check_text(value).encode())


# Anyone may send a 2 MB subject: headers are cut to this for display (title, list, tab,
# notices), and never carry NUL or other control characters into a page.
MAX_DISPLAYED_HEADER = 1000
_CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def displayable(value: str, limit: int = MAX_DISPLAYED_HEADER) -> str:
    """A header as a page may show it: bytes that were not UTF-8 (kept by the parser as
    surrogates) and control characters become U+FFFD, and it is cut at ``limit``."""
    try:
        value = value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:
        value = value.encode("utf-8", "replace").decode("utf-8")
    value = _CONTROL_CHARACTERS.sub("\ufffd", value)
    return value if len(value) <= limit else value[:limit] + "…"


def decode_words(value: bytes | str | None) -> str:
    """RFC 2047 encoded words to displayable text, tolerating unknown charsets and broken
    encodings."""
    if value is None:
        return ""
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    try:
        return displayable(str(make_header(decode_header(value))))
    except (LookupError, UnicodeError, ValueError):
        return displayable(value)


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
    # The folder's state as LIST-STATUS gave it (RFC 7162), for the search's cache keys.
    uidvalidity: int = 0
    uidnext: int = 0
    highestmodseq: int = 0

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
class SearchResults(_Paged):
    """A page of a search over one or several folders, newest first. ``total`` is exact
    unless ``unexamined`` is not zero: then it counts the hits found among the candidates
    examined so far, and ``unexamined`` more candidates (messages matching every criterion
    but the attachment) were not opened, because counting them would cost more than the page."""

    envelopes: list[EnvelopeSummary]
    total: int
    page: int
    page_size: int
    folders: int  # how many folders were searched
    unexamined: int = 0

    @property
    def exact(self) -> bool:
        return not self.unexamined

    @property
    def has_next(self) -> bool:
        return self.page * self.page_size < self.total or (
            not self.exact and len(self.envelopes) == self.page_size
        )


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
        """IMAP SEARCH criteria, every user string as a literal. ``with_attachments``
        is not among them: the session keeps the hits whose BODYSTRUCTURE shows one."""
        criteria: list = []
        if self.text:
            criteria += ["TEXT", literal(self.text)]
        if self.sender:
            criteria += ["FROM", literal(self.sender)]
        if self.recipient:
            criteria += ["OR", "TO", literal(self.recipient), "CC", literal(self.recipient)]
        if self.subject:
            criteria += ["SUBJECT", literal(self.subject)]
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
