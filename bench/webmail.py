"""The webmail side: its pages, requested in-process with Django's test Client."""

import html
import re

from django.test import Client
from django.urls import reverse

from bench.stack import PASSWORD, Person
from mail.imap import close_all_sessions

BODY_FRAME = re.compile(rb'<iframe class="cv-body-frame"[^>]*?src="([^"]+)"', re.S)
HOST = "127.0.0.1"  # one of the default ALLOWED_HOSTS ("testserver" is not)


class PageError(RuntimeError):
    pass


def _check(response, status: int = 200) -> bytes:
    if response.status_code != status:
        raise PageError(f"{response.request['PATH_INFO']} answered {response.status_code}")
    return response.content


class Webmail:
    """One logged-in browser session of ``person`` on their own mailbox."""

    def __init__(self, person: Person):
        self.person = person
        self.client = Client(HTTP_HOST=HOST)
        self.client.force_login(person.user)

    @property
    def mailbox_id(self) -> int:
        return self.person.mailbox.id

    def folder_url(self, folder: str = "INBOX") -> str:
        return reverse("mail:folder", args=[self.mailbox_id, folder])

    def message_url(self, folder: str, uid: int) -> str:
        return reverse("mail:message", args=[self.mailbox_id, folder, uid])

    def inbox(self) -> bytes:
        return _check(self.client.get(self.folder_url()))

    def message(self, uid: int, folder: str = "INBOX") -> bytes:
        """The message's page, then its sandboxed body frame when it has one (an HTML
        body): everything the browser must fetch before the text shows."""
        page = _check(self.client.get(self.message_url(folder, uid)))
        frame = BODY_FRAME.search(page)
        if frame:
            _check(self.client.get(html.unescape(frame[1].decode())))
        return page

    def search(self, text: str) -> bytes:
        url = reverse("mail:search", args=[self.mailbox_id])
        return _check(self.client.get(url, {"text": text}))

    def quick_search(self, text: str, folder: str = "INBOX") -> bytes:
        """The search box of a folder's list (?q=)."""
        return _check(self.client.get(self.folder_url(folder), {"q": text}))

    def move(self, uids: list[int], target: str, folder: str = "INBOX") -> None:
        data = {"folder": folder, "action": "move", "uid": uids, "target": target}
        _check(self.client.post(reverse("mail:act", args=[self.mailbox_id]), data), 302)


def fresh_login(person: Person) -> Client:
    """A new browser that has just signed in through the sign-in form, with no warm IMAP
    connection in the pool. Through the form, as a person does: the web process has served
    a request before the timed page (``Client.login`` did not go through the handler, so the
    timed page loaded the middleware, WhiteNoise's scan of every static file among them,
    which a web process does once when it starts) and allauth has recorded the session."""
    close_all_sessions()
    client = Client(HTTP_HOST=HOST)
    signed_in = client.post(reverse("account_login"), {"login": person.login, "password": PASSWORD})
    if signed_in.status_code != 302 or signed_in.url != reverse("mail:home"):
        raise PageError(f"{person.login} could not sign in")
    return client


def first_inbox(client: Client, person: Person) -> bytes:
    return _check(client.get(reverse("mail:folder", args=[person.mailbox.id, "INBOX"])))
