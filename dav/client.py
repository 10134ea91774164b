"""The web app's DAV client: the only importer of the caldav library.

It signs in to Radicale *as* a person with the master login (the person's password never
reaches the store) and speaks in plain values: collections by name, resources as
(href, etag, text). Nothing here knows about events or cards, so the address book can use it.
"""

import logging
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote, unquote
from xml.sax.saxutils import escape

from caldav import DAVClient
from caldav.elements import dav, ical
from caldav.lib import error
from defusedxml import ElementTree
from django.conf import settings

from dav import changes
from dav.credentials import master_login

logger = logging.getLogger(__name__)
# The caldav library sets its logger to WARNING when imported (so not in settings.LOGGING),
# and warns of a «deviation» for every CardDAV answer, text/vcard not being a type it expects.
logging.getLogger("caldav").setLevel(logging.ERROR)
DAV, CALDAV, APPLE = "DAV:", "urn:ietf:params:xml:ns:caldav", "http://apple.com/ns/ical/"
LIST_CALENDARS = (
    '<?xml version="1.0" encoding="utf-8"?><propfind xmlns="DAV:" '
    f'xmlns:A="{APPLE}"><prop><resourcetype/><displayname/><A:calendar-color/></prop></propfind>'
)

TIME_RANGE_QUERY = (
    '<?xml version="1.0" encoding="utf-8"?><C:calendar-query xmlns:D="DAV:" '
    f'xmlns:C="{CALDAV}"><D:prop><D:getetag/><C:calendar-data/></D:prop><C:filter>'
    '<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range '
    'start="{start}" end="{end}"/></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>'
)
UTC_FORMAT = "%Y%m%dT%H%M%SZ"
SYNC_COLLECTION = (
    '<?xml version="1.0" encoding="utf-8"?><D:sync-collection xmlns:D="DAV:" xmlns:X="{ns}">'
    "<D:sync-token>{token}</D:sync-token><D:sync-level>1</D:sync-level>"
    "<D:prop><D:getetag/><X:{data}/></D:prop></D:sync-collection>"
)


class DavUnavailable(Exception):
    """The store does not answer: the page says so, the rest of the app goes on."""


class DavConflict(Exception):
    """Someone else changed or removed the resource since it was read (ETag mismatch)."""


class DavNotFound(Exception):
    pass


class DavRefused(Exception):
    """The server refused this one resource (malformed, too large…); others may go through."""


# The caldav library raises this on a 403 instead of returning the answer (a sync token the
# server no longer knows is refused with 403, RFC 6578 §3.2).
Forbidden = error.AuthorizationError


@dataclass(frozen=True)
class Collection:
    name: str  # the last path segment, e.g. "personnel"
    display_name: str
    color: str


@dataclass(frozen=True)
class Resource:
    href: str  # the file name in its collection, e.g. "<uid>.ics"
    etag: str
    text: str


@dataclass(frozen=True)
class SyncResult:
    changed: list[Resource]
    deleted: list[str]  # hrefs
    token: str
    full: bool = False  # a whole listing (no token, or one the server no longer knew)


def _href(url) -> str:
    """The last path segment, decoded (the server sends «%40» for «@»)."""
    return unquote(str(url).rstrip("/").rsplit("/", 1)[-1])


class DavSession:
    """One person's view of the store; open it with ``dav_session(username)``."""

    def __init__(self, client: DAVClient, username: str):
        self.client = client
        self.username = username
        self.home = f"{settings.CALDAV_URL.rstrip('/')}/{quote(username)}/"

    def _calendar(self, name: str):
        return self.client.calendar(url=f"{self.home}{quote(name)}/")

    def calendars(self) -> list[Collection]:
        """The person's calendar collections, in one PROPFIND of their home."""
        response = self.client.propfind(self.home, LIST_CALENDARS, depth=1)
        if response.status >= 400:
            raise error.PropfindError(f"{response.status} {response.reason}")
        found = []
        for item in ElementTree.fromstring(response.raw).iter(f"{{{DAV}}}response"):
            href = item.findtext(f"{{{DAV}}}href") or ""
            if item.find(f".//{{{DAV}}}resourcetype/{{{CALDAV}}}calendar") is None:
                continue
            name = _href(href)
            found.append(Collection(
                name=name,
                display_name=item.findtext(f".//{{{DAV}}}displayname") or name,
                color=(item.findtext(f".//{{{APPLE}}}calendar-color") or "")[:7],
            ))  # fmt: skip
        return found

    def make_calendar(self, name: str, display_name: str, color: str) -> None:
        """DavConflict: made meanwhile by another request (a check-then-make raced)."""
        principal = self.client.principal()
        try:
            calendar = principal.make_calendar(name=display_name, cal_id=name)
        except error.MkcalendarError:
            if name in {c.name for c in self.calendars()}:
                raise DavConflict(name) from None
            raise
        # A PROPPATCH even without a colour: Radicale's hook, not told of a MKCALENDAR, counts
        # it as a change of the home's list, in Radicale's own request (dav/changes.py).
        calendar.set_properties([dav.DisplayName(display_name)]
                                + ([ical.CalendarColor(color)] if color else []))  # fmt: skip

    def update_calendar(self, name: str, *, display_name: str, color: str) -> None:
        self._calendar(name).set_properties(
            [dav.DisplayName(display_name), ical.CalendarColor(color)]
        )

    def delete_calendar(self, name: str) -> None:
        self._calendar(name).delete()
        # Nor of an empty collection's deletion: counted here, after the caller's transaction.
        changes.bump_on_commit(self.username, changes.HOME)

    def in_range(self, name: str, start: datetime, end: datetime) -> list[Resource]:
        """Events overlapping [start, end), recurring ones whole (the caller expands them): one
        calendar-query REPORT, its answer read here. (The library's search() builds and checks
        an object per event: in a profile of the week view, it cost more than the REPORT.)"""
        body = TIME_RANGE_QUERY.format(start=start.astimezone(UTC).strftime(UTC_FORMAT),
                                       end=end.astimezone(UTC).strftime(UTC_FORMAT))
        response = self.client.report(f"{self.home}{quote(name)}/", body, depth=1)
        if response.status == 404:
            raise DavNotFound(name)
        if response.status >= 400:
            raise error.ReportError(f"{response.status} {response.reason}")
        found = []
        for item in ElementTree.fromstring(response.raw).iter(f"{{{DAV}}}response"):
            data = item.findtext(f".//{{{CALDAV}}}calendar-data")
            if data:
                found.append(Resource(_href(item.findtext(f"{{{DAV}}}href") or ""),
                                      item.findtext(f".//{{{DAV}}}getetag") or "", data))
        return found

    def all_resources(self, name: str) -> list[Resource]:
        objects = self._calendar(name).search(event=True)
        return [Resource(_href(o.url), o.etag or "", o.data) for o in objects]

    def get(self, name: str, href: str) -> Resource:
        try:  # event_by_url loads the resource already
            obj = self._calendar(name).event_by_url(f"{self.home}{quote(name)}/{quote(href)}")
        except error.NotFoundError as exc:
            raise DavNotFound(href) from exc
        return Resource(href, obj.etag or "", obj.data)

    def put(self, name: str, href: str, text: str, *, etag: str | None) -> str:
        """Creates (``etag=None``: never overwrites) or replaces the version ``etag``; returns
        the new ETag."""
        url = f"{self.home}{quote(name)}/{quote(href)}"
        headers = {"Content-Type": "text/calendar; charset=utf-8"}
        headers["If-Match" if etag else "If-None-Match"] = etag or "*"
        response = self.client.put(url, text, headers)
        if response.status == 412:
            raise DavConflict(href)
        if 400 <= response.status < 500:
            raise DavRefused(f"{response.status} {href}")
        if response.status >= 500:
            raise error.PutError(f"{response.status} {response.reason}")
        return response.headers.get("ETag", "")

    def replace(self, name: str, href: str, text: str, *, etag: str | None = None) -> str:
        """As put, but a version written meanwhile (a create racing a create, a stale
        ``etag``) is replaced: for a copy the app alone derives, whoever writes it writes
        the same."""
        try:
            return self.put(name, href, text, etag=etag)
        except DavConflict:
            return self.put(name, href, text, etag=self.get(name, href).etag)

    def delete(self, name: str, href: str, *, etag: str) -> None:
        url = f"{self.home}{quote(name)}/{quote(href)}"
        response = self.client.delete(url, headers={"If-Match": etag})
        if response.status == 412:
            raise DavConflict(href)
        if response.status == 404:
            raise DavNotFound(href)
        if response.status >= 400:
            raise error.DeleteError(f"{response.status} {response.reason}")

    def sync(self, name: str, token: str | None) -> SyncResult:
        """What changed in the collection since ``token``; everything without one, or when the
        server no longer knows the token."""
        return sync_collection(self.client, f"{self.home}{quote(name)}/", token,
                               namespace=CALDAV, data="calendar-data")  # fmt: skip


def sync_collection(client: DAVClient, url: str, token: str | None, *, namespace: str,
                    data: str) -> SyncResult:  # fmt: skip
    """One sync-collection REPORT (RFC 6578) with the resources' text (``data``: the CalDAV or
    CardDAV property). A token the server no longer knows (Radicale forgets old ones, and
    answers 403, §3.2) starts again from nothing: a whole listing, ``full``, whose caller
    drops whatever it does not name. (The caldav library's own fallback would keep a «fake»
    token and list the whole collection at every later sync, deletions unseen.)"""
    body = SYNC_COLLECTION.format(ns=namespace, token=escape(token or ""), data=data)
    try:
        response = client.report(url, body, depth=None)
    except Forbidden:
        if not token:
            raise DavRefused(f"403 {url}") from None
        return sync_collection(client, url, None, namespace=namespace, data=data)
    if response.status == 404:
        raise DavNotFound(url)
    if 400 <= response.status < 500:
        raise DavRefused(f"{response.status} {url}")
    if response.status >= 500:
        raise DavUnavailable(f"{response.status} {url}")
    tree = ElementTree.fromstring(response.raw)
    changed, deleted = [], []
    for item in tree.iter(f"{{{DAV}}}response"):
        href = _href(item.findtext(f"{{{DAV}}}href") or "")
        text = item.findtext(f".//{{{namespace}}}{data}")
        if text:
            changed.append(Resource(href, item.findtext(f".//{{{DAV}}}getetag") or "", text))
        elif "404" in (item.findtext(f"{{{DAV}}}status") or ""):
            deleted.append(href)
    return SyncResult(changed, deleted, tree.findtext(f"{{{DAV}}}sync-token") or "",
                      full=not token)


@contextmanager
def dav_session(username: str, *, timeout: int | None = None):
    """``with dav_session(user.username) as store: store.calendars()``; DavUnavailable when the
    server cannot be reached or answers with a server error. ``timeout``: the worker's long
    requests (a whole address book written at once), instead of the pages' CALDAV_TIMEOUT."""
    client = DAVClient(
        url=settings.CALDAV_URL, username=master_login(username),
        password=settings.CALDAV_MASTER_SECRET, timeout=timeout or settings.CALDAV_TIMEOUT,
        enable_rfc6764=False, require_tls=False, auth_type="basic",
    )  # fmt: skip
    try:
        with client:
            yield DavSession(client, username)
    except (DavConflict, DavNotFound, DavRefused):
        raise
    except error.NotFoundError as exc:
        raise DavNotFound(str(exc)) from exc
    except (OSError, error.DAVError) as exc:
        logger.warning("CalDAV store: %s", exc.__class__.__name__)
        raise DavUnavailable from exc
