"""Turn raw RFC 5322 bytes into what the reading page shows, whatever state they are in."""

import functools
import logging
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses
from html.parser import HTMLParser

from mail.imap.dates import parse_date
from mail.imap.types import displayable

logger = logging.getLogger(__name__)

# Parsing stops descending past this depth: a hostile message may nest parts without end.
MAX_DEPTH = 30
# What is read of one header field: the email package parses a header's value on each access,
# in time that grows with its length (2 MB of subject: minutes), so a hostile sender could
# freeze every page and the delivery of that message. The longest real ones, References of
# long threads, stay far below.
MAX_HEADER_CHARS = 20_000


# The MIME structure's fields, read again for every part at every step (type, disposition,
# filename, charset: 20 parses of Content-Type for a text and HTML message, 60 % of reading it)
# and written the same way by most mailers: their parsed values are kept per web process.
# The other fields (From, Subject…) are parsed each time.
_STRUCTURE_FIELDS = frozenset(
    ["content-type", "content-disposition", "content-transfer-encoding", "mime-version"]
)
_KEPT_FIELD_CHARS = 1000


class _ReadingPolicy(policy.EmailPolicy):
    def header_fetch_parse(self, name, value):
        value = value[:MAX_HEADER_CHARS]
        if (
            not hasattr(value, "name")
            and len(value) <= _KEPT_FIELD_CHARS
            and name.lower() in _STRUCTURE_FIELDS
        ):
            return _structure_field(self, name, value)
        return super().header_fetch_parse(name, value)


@functools.lru_cache(maxsize=2048)
def _structure_field(reading_policy: "_ReadingPolicy", name: str, value: str):
    """A parsed header is only read afterwards (its type, parameters, defects), so one
    object may serve every message that has the same field."""
    return policy.EmailPolicy.header_fetch_parse(reading_policy, name, value)


READING_POLICY = _ReadingPolicy()


@dataclass
class Attachment:
    index: int  # position among the message's leaf parts, the key of the download URL
    filename: str
    content_type: str
    size: int
    content_id: str = ""

    @property
    def previewable(self) -> bool:
        return self.content_type in PREVIEWABLE_TYPES


@dataclass
class ReadableMessage:
    subject: str = ""
    sender: str = ""
    sender_address: str = ""
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    date: datetime | None = None
    message_id: str = ""
    references: str = ""
    reply_to: str = ""
    text: str = ""
    html: str | None = None
    from_html: bool = False
    attachments: list[Attachment] = field(default_factory=list)
    inline_parts: dict[str, int] = field(default_factory=dict)  # Content-ID → part index
    headers: list[tuple[str, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


# Shown in the browser rather than downloaded: formats it renders without running content.
PREVIEWABLE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf"}


class _TextExtractor(HTMLParser):
    """Text of an HTML part: tags dropped, never rendered (the safe reader is the webmail's)."""

    _BLOCKS = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table"}
    _SKIP = {"script", "style", "head", "title"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self._SKIP:
            self._skipping += 1
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self._SKIP and self._skipping:
            self._skipping -= 1
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self._skipping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    extractor = _TextExtractor()
    extractor.feed(html)
    extractor.close()
    lines = [" ".join(line.split()) for line in "".join(extractor.parts).splitlines()]
    text = "\n".join(lines)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.strip()


def _header(msg: EmailMessage, name: str) -> str:
    try:
        value = msg.get(name)
        return str(value) if value is not None else ""
    except Exception:  # a header the parser chokes on must not stop the page
        raw = msg.get_all(name, failobj=[""])
        return str(raw[0]) if raw else ""


def _raw_header(msg: EmailMessage, name: str) -> str:
    """As written: the policy's own Date parsing rewrites obsolete forms before we see them."""
    return next((value for key, value in msg.raw_items() if key.lower() == name.lower()), "")


def _addresses(msg: EmailMessage, name: str) -> list[str]:
    value = _header(msg, name)
    if not value:
        return []
    people = []
    for display, address in getaddresses([value]):
        if display and address:
            people.append(displayable(f"{display} <{address}>"))
        elif address or display:
            people.append(displayable(address or display))
    return people


def _decoded_text(part: EmailMessage, problems: list[str]) -> str:
    try:
        return part.get_content()
    except (LookupError, UnicodeError, ValueError, AssertionError, KeyError):
        payload = part.get_payload(decode=True) or b""
        problems.append("unknown-charset")
        return payload.decode("utf-8", errors="replace")


def _walk(part: EmailMessage, depth: int, problems: list[str]):
    if depth > MAX_DEPTH:
        if "too-deep" not in problems:
            problems.append("too-deep")
        return
    if part.is_multipart():
        for child in part.iter_parts():
            yield from _walk(child, depth + 1, problems)
    else:
        yield part


def parse(raw: bytes) -> EmailMessage:
    """The message as Python's email package sees it (delivery parses each message once)."""
    return BytesParser(policy=READING_POLICY).parsebytes(raw)


def _filename(part: EmailMessage) -> str:
    try:
        return part.get_filename() or ""
    except Exception:  # a broken RFC 2231 parameter must not hide the part
        return ""


def _payload(part: EmailMessage) -> bytes:
    try:
        payload = part.get_payload(decode=True)
    except Exception:
        payload = None
    if isinstance(payload, bytes):
        return payload
    raw = part.get_payload()
    return raw.encode("utf-8", "replace") if isinstance(raw, str) else b""


def read_message(raw: bytes, parsed: EmailMessage | None = None) -> ReadableMessage:
    """Never raises: what cannot be understood is listed in ``problems``. ``parsed``: the
    same bytes, already parsed."""
    result = ReadableMessage()
    try:
        msg = parsed if parsed is not None else parse(raw)
    except Exception:
        logger.exception("unparsable message")
        result.problems.append("unparsable")
        result.text = raw.decode("utf-8", errors="replace")
        return result

    result.subject = displayable(_header(msg, "Subject"))
    senders = _addresses(msg, "From")
    result.sender = senders[0] if senders else ""
    result.sender_address = _bare_address(result.sender)
    result.to = _addresses(msg, "To")
    result.cc = _addresses(msg, "Cc")
    result.message_id = _header(msg, "Message-ID")
    result.references = " ".join(_header(msg, "References").split())
    reply_to = _addresses(msg, "Reply-To")
    result.reply_to = reply_to[0] if reply_to else ""
    result.headers = [(name, _header_value(value)) for name, value in msg.raw_items()]
    result.date = parse_date(_raw_header(msg, "Date")) or _received_date(msg)
    if msg.defects:
        result.problems.append("defects")

    plain = html = None
    for index, part in enumerate(_walk(msg, 0, result.problems)):
        content_type = part.get_content_type()
        disposition = part.get_content_disposition()
        filename = _filename(part)
        body_candidate = disposition != "attachment" and not filename
        if body_candidate and content_type == "text/plain" and plain is None:
            plain = part
            continue
        if body_candidate and content_type == "text/html" and html is None:
            html = part
            continue
        content_id = (part.get("Content-ID") or "").strip().strip("<>")
        if content_id and disposition != "attachment":
            result.inline_parts[content_id] = index
        if disposition == "attachment" or filename or not content_id:
            result.attachments.append(
                Attachment(
                    index=index,
                    filename=filename,
                    content_type=content_type,
                    size=len(_payload(part)),
                    content_id=content_id,
                )
            )
    if plain is not None:
        result.text = _decoded_text(plain, result.problems)
    if html is not None:
        result.html = _decoded_text(html, result.problems)
        if plain is None:
            result.text = html_to_text(result.html)
            result.from_html = True
    return result


@dataclass(frozen=True)
class PartContent:
    filename: str
    content_type: str
    data: bytes


def message_part(raw: bytes, index: int) -> PartContent | None:
    """The leaf part at ``index`` (as numbered by read_message) with its decoded bytes."""
    try:
        msg = parse(raw)
    except Exception:
        return None
    for position, part in enumerate(_walk(msg, 0, [])):
        if position == index:
            return PartContent(_filename(part), part.get_content_type(), _payload(part))
    return None


def _received_date(msg: EmailMessage) -> datetime | None:
    """No readable Date: when the last hop received it (as the list's INTERNALDATE)."""
    for name, trace in msg.raw_items():
        if name.lower() != "received":
            continue
        when = parse_date(trace.rpartition(";")[2])
        if when is not None:
            return when
    return None


def _bare_address(display: str) -> str:
    if "<" in display and display.endswith(">"):
        return display.rsplit("<", 1)[1][:-1].lower()
    return display.lower()


def _header_value(value) -> str:
    try:
        return displayable(str(value))
    except Exception:
        return displayable(repr(value))
