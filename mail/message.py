"""Turn raw RFC 5322 bytes into what the reading page shows, whatever state they are in."""

import logging
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from html.parser import HTMLParser

logger = logging.getLogger(__name__)

# Parsing stops descending past this depth: a hostile message may nest parts without end.
MAX_DEPTH = 30


@dataclass
class Attachment:
    filename: str
    content_type: str
    size: int


@dataclass
class ReadableMessage:
    subject: str = ""
    sender: str = ""
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    date: datetime | None = None
    text: str = ""
    from_html: bool = False
    attachments: list[Attachment] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


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


def _addresses(msg: EmailMessage, name: str) -> list[str]:
    value = _header(msg, name)
    if not value:
        return []
    people = []
    for display, address in getaddresses([value]):
        if display and address:
            people.append(f"{display} <{address}>")
        elif address or display:
            people.append(address or display)
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


def read_message(raw: bytes) -> ReadableMessage:
    """Never raises: what cannot be understood is listed in ``problems``."""
    result = ReadableMessage()
    try:
        msg = BytesParser(policy=policy.default).parsebytes(raw)
    except Exception:
        logger.exception("unparsable message")
        result.problems.append("unparsable")
        result.text = raw.decode("utf-8", errors="replace")
        return result

    result.subject = _header(msg, "Subject")
    senders = _addresses(msg, "From")
    result.sender = senders[0] if senders else ""
    result.to = _addresses(msg, "To")
    result.cc = _addresses(msg, "Cc")
    try:
        result.date = parsedate_to_datetime(_header(msg, "Date"))
    except (TypeError, ValueError, IndexError):
        result.date = None
    if msg.defects:
        result.problems.append("defects")

    plain = html = None
    for part in _walk(msg, 0, result.problems):
        content_type = part.get_content_type()
        disposition = part.get_content_disposition()
        if disposition != "attachment" and content_type == "text/plain" and plain is None:
            plain = part
        elif disposition != "attachment" and content_type == "text/html" and html is None:
            html = part
        elif disposition == "attachment" or part.get_filename():
            payload = part.get_payload(decode=True) or b""
            result.attachments.append(
                Attachment(
                    filename=part.get_filename() or "",
                    content_type=content_type,
                    size=len(payload),
                )
            )
    if plain is not None:
        result.text = _decoded_text(plain, result.problems)
    elif html is not None:
        result.text = html_to_text(_decoded_text(html, result.problems))
        result.from_html = True
    return result
