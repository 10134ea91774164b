"""Fetching a URL someone else chose (a mail's remote image, a public .ics to subscribe to)
without letting it reach inside: every hop is resolved once and refused if any address of
the host is not public, the checked address is the one connected to (no DNS rebinding), and
the whole fetch is bounded in bytes and in time, redirects included.

It lives in the project package because two apps use it (mail's image proxy, the agenda's
subscriptions) and neither may import the other."""

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

MAX_REDIRECTS = 3
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_CHUNK = 64 * 1024


class FetchError(Exception):
    """The URL could not be fetched safely; the message says why (for logs, in English)."""


@dataclass(frozen=True)
class Fetched:
    content_type: str  # as the server declared it, lower case, without parameters
    data: bytes


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


def _resolve(host: str, port: int, allow_private: bool, allow_loopback: bool) -> tuple[int, tuple]:
    """One address of ``host`` to connect to, refused if any address of it points inside."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise FetchError(f"cannot resolve {host!r}") from exc
    if not infos:
        raise FetchError(f"no address for {host!r}")
    if not allow_private:
        for info in infos:
            try:
                ip = ipaddress.ip_address(info[4][0].split("%")[0])
            except ValueError as exc:
                raise FetchError(f"odd address for {host!r}") from exc
            if allow_loopback and ip.is_loopback:
                continue
            if _forbidden_address(ip):
                raise FetchError(f"{host!r} points to a non-public address")
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
        raise FetchError("malformed URL") from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchError(f"refused URL scheme {scheme!r}")
    if not parts.hostname:
        raise FetchError("URL without a host")
    try:
        host = parts.hostname.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise FetchError("invalid host name") from exc
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


@dataclass(frozen=True)
class _Limits:
    deadline: float
    max_bytes: int
    allow_private: bool
    allow_loopback: bool
    content_types: frozenset[str] | None
    headers: dict


def _get(url: str, limits: _Limits) -> tuple[str | None, Fetched | None]:
    """One request: (redirect location, None) or (None, the response within bounds)."""
    tls, host, port, path = _target(url)
    address = _resolve(host, port, limits.allow_private, limits.allow_loopback)
    remaining = limits.deadline - time.monotonic()
    if remaining <= 0:
        raise FetchError("timed out")
    conn = _PinnedConnection(host, port, address=address, timeout=remaining, tls=tls)
    aborted = threading.Event()
    watchdog = threading.Timer(remaining, _abort, args=(conn, aborted))
    watchdog.daemon = True
    watchdog.start()
    try:
        conn.request("GET", path, headers={**limits.headers, "Connection": "close"})
        response = conn.getresponse()
        if response.status in REDIRECT_STATUSES:
            return response.getheader("Location") or "", None
        if response.status != 200:
            raise FetchError(f"HTTP status {response.status}")
        # Refused before reading: no need to download megabytes of HTML to say no.
        content_type = (response.getheader("Content-Type") or "").split(";")[0].strip().lower()
        if limits.content_types is not None and content_type not in limits.content_types:
            raise FetchError(f"refused content type {content_type!r}")
        length = response.getheader("Content-Length") or ""
        if length.strip().isdigit() and int(length) > limits.max_bytes:
            raise FetchError("response too large")
        body = bytearray()
        while chunk := response.read1(_CHUNK):
            body += chunk
            if len(body) > limits.max_bytes:
                raise FetchError("response too large")
            if aborted.is_set():
                break
        if aborted.is_set():
            raise FetchError("timed out")
        return None, Fetched(content_type, bytes(body))
    except (OSError, http.client.HTTPException, ValueError) as exc:
        # The socket's own timeout and the watchdog fire at the same instant: either one
        # is the deadline.
        if aborted.is_set() or isinstance(exc, TimeoutError):
            raise FetchError("timed out") from exc
        raise FetchError(f"fetch failed: {exc.__class__.__name__}") from exc
    finally:
        watchdog.cancel()
        conn.close()


def fetch(
    url: str,
    *,
    max_bytes: int,
    timeout: float,
    user_agent: str,
    accept: str = "*/*",
    content_types: frozenset[str] | None = None,
    allow_private: bool = False,
    allow_loopback: bool = False,
) -> Fetched:
    """GET ``url`` (http/https), every hop re-validated; ``timeout`` bounds the whole fetch,
    redirects included; ``content_types``, when given, are the only ones read. No cookie, no
    Referer: nothing ties the fetch to the person it is made for. ``allow_private`` and
    ``allow_loopback`` are for tests serving from this machine, through explicit settings
    that are off in production. Raises FetchError."""
    limits = _Limits(
        deadline=time.monotonic() + timeout, max_bytes=max_bytes, allow_private=allow_private,
        allow_loopback=allow_loopback, content_types=content_types,
        headers={"User-Agent": user_agent, "Accept": accept},
    )  # fmt: skip
    for _ in range(MAX_REDIRECTS + 1):
        location, fetched = _get(url, limits)
        if fetched is not None:
            return fetched
        if not location:
            raise FetchError("redirect without a location")
        url = urljoin(url, location)
    raise FetchError("too many redirects")
