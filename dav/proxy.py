"""``/dav/``: phones and desktop clients reach Radicale through the web app's own address.

A streaming pass-through (nothing buffered, no size limit of Django's), as the production
reverse proxy does: ``X-Script-Name: /dav`` lets Radicale write its links under the prefix,
``X-Remote-Addr`` marks the request as coming from outside (no master login, see
dav/radicale_auth.py). Authentication is Radicale's: this view never looks at credentials."""

import http.client
import logging
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.http import HttpResponse, HttpResponsePermanentRedirect, StreamingHttpResponse
from django.views.decorators.csrf import csrf_exempt

logger = logging.getLogger(__name__)
PREFIX = "/dav"
CHUNK = 64 * 1024
# Not forwarded either way: hop-by-hop headers, the session cookie, and what only this proxy sets.
REQUEST_SKIP = {"host", "cookie", "connection", "keep-alive", "transfer-encoding", "upgrade",
                "x-remote-addr", "x-script-name", "x-forwarded-for", "x-forwarded-host",
                "x-forwarded-proto", "x-forwarded-server"}  # fmt: skip
RESPONSE_SKIP = {"connection", "keep-alive", "transfer-encoding", "content-length", "server",
                 "date", "set-cookie"}  # fmt: skip


def _request_headers(request) -> dict[str, str]:
    headers = {}
    for key, value in request.META.items():
        if key.startswith("HTTP_"):
            name = key[5:].replace("_", "-").lower()
            if name not in REQUEST_SKIP:
                headers[name] = value
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if request.META.get(key):
            headers[key.replace("_", "-").lower()] = request.META[key]
    headers["x-script-name"] = PREFIX
    headers["x-remote-addr"] = request.META.get("REMOTE_ADDR", "")
    return headers


def _stream(connection: http.client.HTTPConnection, upstream: http.client.HTTPResponse):
    try:
        while chunk := upstream.read(CHUNK):
            yield chunk
    finally:
        connection.close()


@csrf_exempt
def dav(request, path: str = ""):
    target = urlsplit(settings.CALDAV_URL)
    connection = http.client.HTTPConnection(
        target.hostname, target.port, timeout=settings.CALDAV_TIMEOUT
    )
    # As under a WSGI prefix: the path without /dav, the prefix in X-Script-Name.
    url = "/" + quote(path, safe="/@:+,;=")
    if request.META.get("QUERY_STRING"):
        url += f"?{request.META['QUERY_STRING']}"
    headers = _request_headers(request)
    try:
        body = request if headers.get("content-length") else None
        connection.request(request.method, url, body=body, headers=headers)
        upstream = connection.getresponse()
    except OSError:
        connection.close()
        logger.warning("the CalDAV server does not answer at %s", settings.CALDAV_URL)
        return HttpResponse("CalDAV server unavailable\n", status=503,
                            content_type="text/plain; charset=utf-8")  # fmt: skip
    response = StreamingHttpResponse(_stream(connection, upstream), status=upstream.status)
    for name, value in upstream.getheaders():
        if name.lower() not in RESPONSE_SKIP:
            response[name] = value
    return response


@csrf_exempt
def well_known(request):
    """RFC 6764 discovery, for any method (phones start with PROPFIND) and without
    authentication; 301 as Radicale itself answers (some clients mishandle 302)."""
    return HttpResponsePermanentRedirect(f"{PREFIX}/")
