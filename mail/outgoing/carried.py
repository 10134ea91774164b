"""Attachments a new message carries over from one already stored: the original of a forward
(inline images included), or a send that was cancelled and comes back to the compose page.

The browser never holds these files: the page lists them with a checkbox each, and only the
indexes of those kept travel back with the form.
"""

from dataclasses import dataclass
from email.message import EmailMessage

from mail.message.parse import parse
from mail.outgoing.compose import Upload

# A hostile message may nest parts without end; nothing past this depth is carried.
_MAX_DEPTH = 30


@dataclass(frozen=True)
class CarriedPart:
    index: int
    filename: str
    content_type: str
    size: int


def _leaves(part: EmailMessage, depth: int = 0):
    """Leaf parts in order; an attached message (message/rfc822) is one leaf, kept whole."""
    if depth > _MAX_DEPTH:
        return
    if part.get_content_maintype() == "multipart":
        payload = part.get_payload()
        for child in payload if isinstance(payload, list) else []:
            yield from _leaves(child, depth + 1)
    else:
        yield part


def _is_body(part: EmailMessage) -> bool:
    return (
        part.get_content_type() in ("text/plain", "text/html")
        and part.get_content_disposition() != "attachment"
        and not _filename(part)
    )


def _filename(part: EmailMessage) -> str:
    try:
        return part.get_filename() or ""
    except Exception:  # a broken RFC 2231 parameter: the part is still carried, unnamed
        return ""


def _data(part: EmailMessage) -> bytes:
    if part.get_content_type() == "message/rfc822":
        inner = part.get_payload()
        inner = inner[0] if isinstance(inner, list) and inner else inner
        return inner.as_bytes() if isinstance(inner, EmailMessage) else b""
    try:
        data = part.get_payload(decode=True)
    except Exception:
        data = None
    return data if isinstance(data, bytes) else b""


def _name(part: EmailMessage, index: int) -> str:
    name = _filename(part)
    if name:
        return name
    if part.get_content_type() == "message/rfc822":
        return f"message-{index}.eml"
    subtype = part.get_content_subtype() or "bin"
    return f"{part.get_content_maintype()}-{index}.{subtype}"  # an inline image, unnamed


def _carried(raw: bytes):
    try:
        message = parse(raw)
    except Exception:
        return []
    leaves = [part for part in _leaves(message) if not _is_body(part)]
    return list(enumerate(leaves))


def carried_parts(raw: bytes) -> list[CarriedPart]:
    """What the compose page offers to keep, each with its key in ``carried_uploads``."""
    return [
        CarriedPart(index, _name(part, index), part.get_content_type(), len(_data(part)))
        for index, part in _carried(raw)
    ]


def carried_uploads(raw: bytes, indexes) -> list[Upload]:
    wanted = set(indexes)
    return [
        Upload(_name(part, index), part.get_content_type(), _data(part))
        for index, part in _carried(raw)
        if index in wanted
    ]
