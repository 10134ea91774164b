"""Fetch a mail's remote image on the reader's behalf, so the sender's tracker never sees them.
The guarded fetch itself (public addresses only, pinned, bounded) is convergence.safe_fetch."""

from dataclasses import dataclass

from convergence.safe_fetch import FetchError, fetch

# SVG is left out on purpose: it is a document that can carry script.
ALLOWED_CONTENT_TYPES = frozenset(
    {"image/png", "image/jpeg", "image/jpg", "image/pjpeg", "image/gif", "image/webp"}
    | {"image/bmp", "image/x-bmp", "image/x-icon", "image/vnd.microsoft.icon"}
)
# The same for every reader: says nothing about their browser or system.
USER_AGENT = "Mozilla/5.0 (compatible; Convergence-ImageProxy/1.0)"
_ACCEPT = "image/png,image/jpeg,image/gif,image/webp,image/bmp,image/x-icon;q=0.9"


class ImageFetchError(Exception):
    """The image could not be fetched safely; the proxy answers without it."""


@dataclass(frozen=True)
class FetchedImage:
    content_type: str
    data: bytes


def _sniff(data: bytes) -> str | None:
    """The image type the bytes really are, whatever the server claimed."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"BM") and len(data) > 14:
        return "image/bmp"
    if data.startswith(b"\x00\x00\x01\x00"):
        return "image/x-icon"
    return None


def fetch_remote_image(
    url: str,
    *,
    max_bytes: int = 5 * 1024 * 1024,
    timeout: float = 5.0,
    allow_private: bool = False,
) -> FetchedImage:
    """The image at ``url`` (http/https), every hop re-validated; ``timeout`` bounds the whole
    fetch, redirects included. Raises ImageFetchError for anything but a real raster image."""
    try:
        fetched = fetch(url, max_bytes=max_bytes, timeout=timeout, user_agent=USER_AGENT,
                        accept=_ACCEPT, content_types=ALLOWED_CONTENT_TYPES,
                        allow_private=allow_private)  # fmt: skip
    except FetchError as exc:
        raise ImageFetchError(str(exc)) from exc
    sniffed = _sniff(fetched.data)
    if sniffed is None:
        raise ImageFetchError("the bytes are not a known image format")
    return FetchedImage(sniffed, fetched.data)
