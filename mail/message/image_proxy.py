"""Fetch a mail's remote image on the reader's behalf, so the sender's tracker never sees them."""

import contextlib
import functools
import http.client
import ipaddress
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from urllib.parse import quote, urljoin, urlsplit

# SVG is left out on purpose: it is a document that can carry script.
ALLOWED_CONTENT_TYPES = frozenset(
    {"image/png", "image/jpeg", "image/jpg", "image/pjpeg", "image/gif", "image/webp"}
    | {"image/bmp", "image/x-bmp", "image/x-icon", "image/vnd.microsoft.icon"}
)
MAX_REDIRECTS = 3
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# The same for every reader: says nothing about their browser or system.
USER_AGENT = "Mozilla/5.0 (compatible; Convergence-ImageProxy/1.0)"
_ACCEPT = "image/png,image/jpeg,image/gif,image/webp,image/bmp,image/x-icon;q=0.9"
_CHUNK = 64 * 1024


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


def _forbidden_address(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address):
        # An IPv4 address wrapped in IPv6 reaches the same host as the bare one.
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo or (None, None))[1]
        if embedded is not None and _forbidden_address(embedded):
            return True
    return (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def _resolve(host: str, port: int, allow_private: bool) -> tuple[int, tuple]:
    """One address of ``host`` to connect to, refused if any address of it points inside."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise ImageFetchError(f"cannot resolve {host!r}") from exc
    if not infos:
        raise ImageFetchError(f"no address for {host!r}")
    if not allow_private:
        for info in infos:
            try:
                ip = ipaddress.ip_address(info[4][0].split("%")[0])
            except ValueError as exc:
                raise ImageFetchError(f"odd address for {host!r}") from exc
            if _forbidden_address(ip):
                raise ImageFetchError(f"{host!r} points to a non-public address")
    family, _, _, _, sockaddr = infos[0]
    return family, sockaddr


def _open_socket(family: int, sockaddr: tuple, timeout: float) -> socket.socket:
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        sock.connect(sockaddr)
    except BaseException:
        sock.close()
        raise
    return sock


@functools.cache
def _tls_context() -> ssl.SSLContext:
    # Certificates and host names verified; loaded once, shared by every fetch.
    return ssl.create_default_context()


class _PinnedConnection(http.client.HTTPConnection):
    """Sends Host: <hostname> but connects to the address that was checked: a second DNS
    answer (rebinding) between the check and the connection cannot redirect it inside."""

    def __init__(self, host, port, *, address, timeout, tls):
        super().__init__(host, port, timeout=timeout)
        # The Host header names the port only when it is not the scheme's own.
        self.default_port = 443 if tls else 80
        self._address = address
        self._tls = tls

    def connect(self):
        family, sockaddr = self._address
        sock = _open_socket(family, sockaddr, self.timeout)
        if self._tls:
            sock = _tls_context().wrap_socket(sock, server_hostname=self.host)
        self.sock = sock


def _target(url: str) -> tuple[bool, str, int, str]:
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise ImageFetchError("malformed URL") from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise ImageFetchError(f"refused URL scheme {scheme!r}")
    if not parts.hostname:
        raise ImageFetchError("URL without a host")
    try:
        host = parts.hostname.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise ImageFetchError("invalid host name") from exc
    # Userinfo and fragment are dropped: no credentials leave, the fragment is the client's.
    path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=~-._")
    if parts.query:
        path += "?" + quote(parts.query, safe="/%:@!$&'()*+,;=~-._?")
    return scheme == "https", host, port or (443 if scheme == "https" else 80), path


def _abort(conn: http.client.HTTPConnection, aborted: threading.Event) -> None:
    """Deadline reached: cut the socket under whatever read is blocked on it (a server that
    drips one byte at a time never trips the per-read timeout)."""
    aborted.set()
    sock = conn.sock
    if sock is not None:
        with contextlib.suppress(OSError):
            socket.socket.shutdown(sock, socket.SHUT_RDWR)


def _get(
    url: str, deadline: float, max_bytes: int, allow_private: bool
) -> tuple[str | None, bytes]:
    """One request: (redirect location, None) or (None, body of an allowed image type)."""
    tls, host, port, path = _target(url)
    address = _resolve(host, port, allow_private)
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise ImageFetchError("timed out")
    conn = _PinnedConnection(host, port, address=address, timeout=remaining, tls=tls)
    aborted = threading.Event()
    watchdog = threading.Timer(remaining, _abort, args=(conn, aborted))
    watchdog.daemon = True
    watchdog.start()
    try:
        # No Cookie, no Referer: nothing ties the fetch to the reader or the message.
        headers = {"User-Agent": USER_AGENT, "Accept": _ACCEPT, "Connection": "close"}
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        if response.status in REDIRECT_STATUSES:
            return response.getheader("Location") or "", b""
        if response.status != 200:
            raise ImageFetchError(f"HTTP status {response.status}")
        # Refused before reading: no need to download five megabytes of HTML to say no.
        content_type = (response.getheader("Content-Type") or "").split(";")[0].strip().lower()
        if content_type not in ALLOWED_CONTENT_TYPES:
            raise ImageFetchError(f"refused content type {content_type!r}")
        length = response.getheader("Content-Length") or ""
        if length.strip().isdigit() and int(length) > max_bytes:
            raise ImageFetchError("image too large")
        body = bytearray()
        while chunk := response.read1(_CHUNK):
            body += chunk
            if len(body) > max_bytes:
                raise ImageFetchError("image too large")
            if aborted.is_set():
                break
        if aborted.is_set():
            raise ImageFetchError("timed out")
        return None, bytes(body)
    except (OSError, http.client.HTTPException, ValueError) as exc:
        # The socket's own timeout and the watchdog fire at the same instant: either one
        # is the deadline.
        if aborted.is_set() or isinstance(exc, TimeoutError):
            raise ImageFetchError("timed out") from exc
        raise ImageFetchError(f"fetch failed: {exc.__class__.__name__}") from exc
    finally:
        watchdog.cancel()
        conn.close()


def fetch_remote_image(
    url: str,
    *,
    max_bytes: int = 5 * 1024 * 1024,
    timeout: float = 5.0,
    allow_private: bool = False,
) -> FetchedImage:
    """The image at ``url`` (http/https), every hop re-validated; ``timeout`` bounds the whole
    fetch, redirects included. Raises ImageFetchError for anything but a real raster image."""
    deadline = time.monotonic() + timeout
    for _ in range(MAX_REDIRECTS + 1):
        location, data = _get(url, deadline, max_bytes, allow_private)
        if location is not None:
            if not location:
                raise ImageFetchError("redirect without a location")
            url = urljoin(url, location)
            continue
        sniffed = _sniff(data)
        if sniffed is None:
            raise ImageFetchError("the bytes are not a known image format")
        return FetchedImage(sniffed, data)
    raise ImageFetchError("too many redirects")
