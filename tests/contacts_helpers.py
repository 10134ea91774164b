"""Helpers of the address book tests: a phone that speaks CardDAV through the web app."""

from caldav import DAVClient
from caldav.lib import error

from tests.agenda_helpers import empty_store  # noqa: F401 - fixture re-exported

__all__ = ["empty_store", "phone_book", "vcard3"]


class PhoneBook:
    """What a phone does with an address book: list, read, write and delete cards over HTTP,
    at the web app's /dav/ address, with the person's credentials."""

    def __init__(self, live_server, login: str, password: str, book: str = "contacts"):
        self.client = DAVClient(url=f"{live_server.url}/dav/", username=login, password=password,
                                require_tls=False, enable_rfc6764=False)  # fmt: skip
        self.url = f"{live_server.url}/dav/{login}/{book}/"

    def hrefs(self) -> list[str]:
        response = self.client.propfind(self.url, depth=1)
        assert response.status == 207, response.status
        text = response.raw.decode() if isinstance(response.raw, bytes) else response.raw
        return [h.rsplit("/", 1)[-1] for h in _hrefs(text) if h.endswith(".vcf")]

    def get(self, href: str) -> str:
        response = self.client.request(self.url + href, "GET")
        assert response.status == 200, response.status
        return response.raw.decode() if isinstance(response.raw, bytes) else response.raw

    def put(self, href: str, text: str) -> int:
        return _status(lambda: self.client.put(self.url + href, text,
                                               {"Content-Type": "text/vcard; charset=utf-8"}))

    def delete(self, href: str = "") -> int:
        """The card ``href``, or the whole address book."""
        return _status(lambda: self.client.delete(self.url + href))

    def mkcol(self, url: str) -> int:
        return _status(lambda: self.client.mkcol(url, ""))


def _status(request) -> int:
    """The HTTP status, also when the library raises on a refusal."""
    try:
        return request().status
    except error.AuthorizationError:
        return 403


def _hrefs(xml: str) -> list[str]:
    import re

    return re.findall(r"<(?:\w+:)?href>([^<]+)</(?:\w+:)?href>", xml)


def phone_book(live_server, login: str, password: str, book: str = "contacts") -> PhoneBook:
    return PhoneBook(live_server, login, password, book)


def vcard3(uid: str, name: str, email: str, extra: str = "") -> str:
    given, _, family = name.partition(" ")
    return (f"BEGIN:VCARD\r\nVERSION:3.0\r\nUID:{uid}\r\nFN:{name}\r\nN:{given};{family};;;\r\n"
            f"EMAIL;TYPE=INTERNET:{email}\r\n{extra}END:VCARD\r\n")  # fmt: skip
