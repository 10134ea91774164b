"""The web app's CardDAV client (RFC 6352): address books and vCards, in plain values.

It rides on the signed-in HTTP session of ``dav.client.dav_session`` (the master login, the
same timeouts and the same DavUnavailable when the store does not answer) but speaks only
WebDAV/CardDAV requests of its own: nothing here knows what a contact or a group is.
"""

from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import quote
from xml.sax.saxutils import escape

from defusedxml import ElementTree

from dav.client import (
    Collection,
    DavConflict,
    DavNotFound,
    DavRefused,
    DavUnavailable,
    Resource,
    SyncResult,
    _href,
    dav_session,
    sync_collection,
)

DAV, CARDDAV = "DAV:", "urn:ietf:params:xml:ns:carddav"
VCARD_TYPE = "text/vcard; charset=utf-8"
LIST_BOOKS = (
    '<?xml version="1.0" encoding="utf-8"?><propfind xmlns="DAV:"><prop><resourcetype/>'
    "<displayname/></prop></propfind>"
)
MAKE_BOOK = (
    '<?xml version="1.0" encoding="utf-8"?><mkcol xmlns="DAV:" xmlns:CR="{cr}"><set><prop>'
    "<resourcetype><collection/><CR:addressbook/></resourcetype>"
    "<displayname>{name}</displayname></prop></set></mkcol>"
)
BOOK_STATE = (
    '<?xml version="1.0" encoding="utf-8"?><propfind xmlns="DAV:" xmlns:CR="{cr}"><prop>'
    "<getetag/><displayname/><CR:addressbook-description/></prop></propfind>"
)
SET_NAMES = (
    '<?xml version="1.0" encoding="utf-8"?><propertyupdate xmlns="DAV:" xmlns:CR="{cr}"><set>'
    "<prop><displayname>{name}</displayname>{description}</prop></set></propertyupdate>"
)

__all__ = ["DavConflict", "DavNotFound", "DavRefused", "DavUnavailable", "Resource",
           "carddav_session"]


@dataclass(frozen=True)
class BookState:
    """What a whole-book write must check and put back: the book's ETag (it changes with any
    card) and the names the server would forget."""

    etag: str
    display_name: str
    description: str


@dataclass(frozen=True)
class Cards:
    """One address book read whole: its cards and the token to ask for changes since."""

    resources: list[Resource]
    token: str


class CardDavSession:
    def __init__(self, session):
        self.client = session.client
        self.home = session.home

    def _url(self, book: str, href: str = "") -> str:
        return f"{self.home}{quote(book)}/{quote(href) if href else ''}"

    def _check(self, response, what: str) -> None:
        if response.status == 412:
            raise DavConflict(what)
        if response.status == 404:
            raise DavNotFound(what)
        if 400 <= response.status < 500:
            raise DavRefused(f"{response.status} {what}")
        if response.status >= 500:
            raise DavUnavailable(f"{response.status} {what}")

    def address_books(self) -> list[Collection]:
        response = self.client.propfind(self.home, LIST_BOOKS, depth=1)
        self._check(response, self.home)
        found = []
        for item in ElementTree.fromstring(response.raw).iter(f"{{{DAV}}}response"):
            if item.find(f".//{{{DAV}}}resourcetype/{{{CARDDAV}}}addressbook") is None:
                continue
            name = _href(item.findtext(f"{{{DAV}}}href") or "")
            display = item.findtext(f".//{{{DAV}}}displayname") or name
            found.append(Collection(name=name, display_name=display, color=""))
        return found

    def make_address_book(self, name: str, display_name: str) -> None:
        body = MAKE_BOOK.format(cr=CARDDAV, name=escape(display_name))
        response = self.client.mkcol(self._url(name), body)
        if response.status != 405:  # 405: it exists already (a concurrent first visit)
            self._check(response, name)

    def delete_address_book(self, name: str) -> None:
        self._check(self.client.delete(self._url(name)), name)

    def get(self, book: str, href: str) -> Resource:
        response = self.client.request(self._url(book, href), "GET")
        self._check(response, href)
        return Resource(href, response.headers.get("ETag", ""), _text(response))

    def put(self, book: str, href: str, text: str, *, etag: str | None) -> str:
        """Creates (``etag=None``: never overwrites) or replaces the version ``etag``; returns
        the new ETag."""
        headers = {"Content-Type": VCARD_TYPE, ("If-Match" if etag else "If-None-Match"): etag
                   or "*"}  # fmt: skip
        response = self.client.put(self._url(book, href), text, headers)
        self._check(response, href)
        return response.headers.get("ETag", "")

    def delete(self, book: str, href: str, *, etag: str | None) -> None:
        headers = {"If-Match": etag} if etag else {}
        self._check(self.client.delete(self._url(book, href), headers=headers), href)

    def book_state(self, book: str) -> BookState:
        response = self.client.propfind(self._url(book), BOOK_STATE.format(cr=CARDDAV), depth=0)
        self._check(response, book)
        tree = ElementTree.fromstring(response.raw)
        return BookState(tree.findtext(f".//{{{DAV}}}getetag") or "",
                         tree.findtext(f".//{{{DAV}}}displayname") or "",
                         tree.findtext(f".//{{{CARDDAV}}}addressbook-description") or "")

    def replace_book(self, book: str, cards: list[str], state: BookState) -> None:
        """Every card of the book in one request (Radicale's PUT of a whole collection): the
        book becomes exactly ``cards``, each under ``<UID>.vcf``, if nothing changed since
        ``state`` (else DavConflict). One write of N cards instead of N PUTs, each of which
        reads the whole book to check that its UID is new. The server keeps no property of
        the old collection: its names are set again."""
        headers = {"Content-Type": VCARD_TYPE, "If-Match": state.etag}
        body = "".join(card if card.endswith("\n") else card + "\r\n" for card in cards)
        response = self.client.put(self._url(book), body, headers)
        self._check(response, book)
        description = (f"<CR:addressbook-description>{escape(state.description)}"
                       "</CR:addressbook-description>" if state.description else "")
        body = SET_NAMES.format(cr=CARDDAV, name=escape(state.display_name or book),
                                description=description)
        self._check(self.client.proppatch(self._url(book), body), book)

    def sync(self, book: str, token: str | None) -> SyncResult:
        """What changed since ``token`` (RFC 6578); everything without one, or when the server
        no longer knows the token."""
        return sync_collection(self.client, self._url(book), token, namespace=CARDDAV,
                               data="address-data")  # fmt: skip

    def cards(self, book: str) -> Cards:
        result = self.sync(book, None)
        return Cards(result.changed, result.token)


def _text(response) -> str:
    raw = response.raw
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


@contextmanager
def carddav_session(username: str, *, timeout: int | None = None):
    """``with carddav_session(user.username) as store: store.address_books()``."""
    with dav_session(username, timeout=timeout) as session:
        yield CardDavSession(session)
