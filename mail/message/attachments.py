"""HTTP responses for message parts: safe names, safe types, never rendered as a page."""

import re
import unicodedata
from io import BytesIO

from django.http import FileResponse

from mail.message.parse import PREVIEWABLE_TYPES, PartContent

_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def safe_filename(name: str, content_type: str) -> str:
    """No directories, no control characters, no leading dots; something even when empty."""
    name = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", name).strip(" .")[:150]
    if not name:
        extension = {
            "application/pdf": ".pdf",
            "image/png": ".png",
            "image/jpeg": ".jpg",
            "image/gif": ".gif",
            "text/plain": ".txt",
        }.get(content_type, ".bin")
        name = f"piece-jointe{extension}"
    return name


def attachment_response(part: PartContent, *, inline: bool) -> FileResponse:
    """Inline only for images and PDF; everything else is a download the browser won't sniff."""
    previewable = part.content_type in PREVIEWABLE_TYPES
    content_type = part.content_type if previewable else "application/octet-stream"
    response = FileResponse(
        BytesIO(part.data),
        as_attachment=not (inline and previewable),
        filename=safe_filename(part.filename, part.content_type),
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
