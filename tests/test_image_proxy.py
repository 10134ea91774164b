"""The image proxy fetches real raster images only, from public hosts, within bounds."""

import socket
import struct
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from convergence import safe_fetch
from mail.message import image_proxy
from mail.message.image_proxy import FetchedImage, ImageFetchError, fetch_remote_image


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x00\x00\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


PNG = _png()
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
HTML = b"<html><script>alert(document.cookie)</script></html>"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, format, *args):
        pass

    def _send(self, status: int, content_type: str, body: bytes, length: bool = True):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, location: str):
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):
        self.server.requests.append((self.path, dict(self.headers)))
        path = self.path.split("?")[0]
        if path == "/pixel.png":
            self._send(200, "image/png", PNG)
        elif path == "/pixel.gif":
            self._send(200, "image/gif; charset=binary", GIF)
        elif path == "/mislabelled.png":
            # A GIF served as PNG: the bytes decide what is returned.
            self._send(200, "image/png", GIF)
        elif path == "/image.svg":
            self._send(200, "image/svg+xml", SVG)
        elif path == "/svg-as-png":
            self._send(200, "image/png", SVG)
        elif path == "/page-as-png":
            self._send(200, "image/png", HTML)
        elif path == "/page":
            self._send(200, "text/html", HTML)
        elif path == "/huge-declared.png":
            self._send(200, "image/png", PNG + b"\x00" * (2 * 1024 * 1024))
        elif path == "/huge-streamed.png":
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            self.wfile.write(PNG)
            for _ in range(64):
                self.wfile.write(b"\x00" * 64 * 1024)
        elif path == "/slow.png":
            # Answers only once the test is over: any client deadline passes first.
            self.server.finished.wait()
            self._send(200, "image/png", PNG)
        elif path == "/drip.png":
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            for byte in PNG * 20:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                if self.server.finished.wait(0.05):  # one byte every 50 ms, until the end
                    return
        elif path.startswith("/redirect/"):
            left = int(path.rsplit("/", 1)[1])
            self._redirect(f"/redirect/{left - 1}" if left > 1 else "/pixel.png")
        elif path == "/redirect-javascript":
            self._redirect("javascript:alert(1)")
        elif path == "/redirect-file":
            self._redirect("file:///etc/passwd")
        elif path == "/redirect-private":
            self._redirect("http://169.254.169.254/latest/meta-data/")
        else:
            self._send(404, "text/plain", b"absent")


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # Clients that hang up on purpose (size limit, timeout) are expected.
        pass


@pytest.fixture(scope="module")
def server():
    httpd = _Server(("127.0.0.1", 0), _Handler)
    httpd.requests = []
    httpd.finished = threading.Event()
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.finished.set()
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def url(server):
    server.requests.clear()
    return lambda path: f"http://127.0.0.1:{server.server_address[1]}{path}"


def fetch(url: str, **options) -> FetchedImage:
    options.setdefault("allow_private", True)
    options.setdefault("timeout", 2.0)
    return fetch_remote_image(url, **options)


def test_a_png_is_fetched_without_anything_about_the_reader(server, url):
    image = fetch(url("/pixel.png?u=prof.demo"))
    assert image == FetchedImage("image/png", PNG)
    ((path, headers),) = server.requests
    assert path == "/pixel.png?u=prof.demo"
    names = {name.lower() for name in headers}
    assert not names & {"cookie", "referer", "authorization", "x-forwarded-for"}
    assert headers["User-Agent"] == image_proxy.USER_AGENT
    assert headers["Host"] == f"127.0.0.1:{server.server_address[1]}"


def test_the_returned_type_is_the_one_the_bytes_have(url):
    assert fetch(url("/pixel.gif")).content_type == "image/gif"
    assert fetch(url("/mislabelled.png")) == FetchedImage("image/gif", GIF)


def test_redirects_are_followed_up_to_three(server, url):
    assert fetch(url("/redirect/3")).data == PNG
    assert len(server.requests) == 4
    server.requests.clear()
    with pytest.raises(ImageFetchError, match="redirects"):
        fetch(url("/redirect/4"))
    assert len(server.requests) == 4


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/image.svg", "content type 'image/svg"),
        ("/svg-as-png", "not a known image format"),
        ("/page-as-png", "not a known image format"),
        ("/page", "content type 'text/html'"),
        ("/missing.png", "status 404"),
        ("/huge-declared.png", "too large"),
        ("/huge-streamed.png", "too large"),
        ("/redirect-javascript", "scheme 'javascript'"),
        ("/redirect-file", "scheme 'file'"),
    ],
)
def test_anything_but_a_raster_image_within_bounds_is_refused(url, path, reason):
    with pytest.raises(ImageFetchError, match=reason):
        fetch(url(path), max_bytes=1024 * 1024)


def test_a_redirect_into_the_private_network_is_refused(server, monkeypatch):
    # The first hop is "public" for this test; the hop it redirects to must be checked again.
    port = server.server_address[1]
    real = safe_fetch._forbidden_address
    monkeypatch.setattr(
        safe_fetch, "_forbidden_address", lambda ip: str(ip) != "127.0.0.1" and real(ip)
    )
    with pytest.raises(ImageFetchError, match="non-public"):
        fetch_remote_image(f"http://127.0.0.1:{port}/redirect-private", timeout=2.0)


def test_a_slow_server_times_out(url):
    start = time.monotonic()
    with pytest.raises(ImageFetchError, match="timed out"):
        fetch(url("/slow.png"), timeout=0.5)
    assert time.monotonic() - start < 2


def test_a_server_dripping_bytes_is_cut_at_the_deadline(url):
    start = time.monotonic()
    with pytest.raises(ImageFetchError, match="timed out"):
        fetch(url("/drip.png"), timeout=0.5)
    assert time.monotonic() - start < 2


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.1:{port}/pixel.png",
        "http://localhost:{port}/pixel.png",
        "http://localhost/",
        "http://[::1]/",
        "http://2130706433:{port}/pixel.png",
        "http://0.0.0.0/",
        "http://10.1.2.3/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:127.0.0.1]/",
        "http://[fe80::1]/",
        "http://224.0.0.1/",
        "http://100.64.0.1/",
    ],
)
def test_private_addresses_are_refused_before_any_connection(server, url, monkeypatch, target):
    def no_connection(*args, **kwargs):
        raise AssertionError("a connection was attempted")

    monkeypatch.setattr(safe_fetch, "_open_socket", no_connection)
    with pytest.raises(ImageFetchError, match="non-public"):
        fetch_remote_image(target.format(port=server.server_address[1]))
    assert server.requests == []


@pytest.mark.parametrize(
    "target",
    ["ftp://example.org/x.png", "file:///etc/passwd", "javascript:alert(1)", "http:///x.png"]
    + ["data:image/png;base64,iVBORw0KGgo=", "http://example.org:99999/x.png", ""],
)
def test_only_http_urls_with_a_host_are_fetched(target):
    with pytest.raises(ImageFetchError):
        fetch_remote_image(target)


def test_the_validated_address_is_the_one_connected_to(server, monkeypatch):
    """A name that resolves to a checked address is not resolved a second time (rebinding)."""
    port = server.server_address[1]
    answers = []

    def resolve_once(host, port, *args, **kwargs):
        answers.append(host)
        if len(answers) > 1:
            raise AssertionError("resolved twice")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

    monkeypatch.setattr(safe_fetch.socket, "getaddrinfo", resolve_once)
    image = fetch_remote_image(f"http://images.example:{port}/pixel.png", allow_private=True)
    assert image.data == PNG
    assert answers == ["images.example"]
    assert server.requests[-1][1]["Host"] == f"images.example:{port}"


def test_https_is_spoken_to_the_validated_address_with_the_host_name(server, monkeypatch):
    # The test server speaks plain HTTP: the TLS handshake fails, as it must, into the one
    # exception the view handles.
    port = server.server_address[1]
    monkeypatch.setattr(
        safe_fetch.socket,
        "getaddrinfo",
        lambda *a, **k: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))],
    )
    with pytest.raises(ImageFetchError):
        fetch_remote_image(f"https://images.example:{port}/pixel.png", allow_private=True)
