"""The raw IMAP floor: the same work as each page, done with imapclient and nothing else."""

from collections.abc import Iterator
from contextlib import contextmanager

import imapclient  # noqa: TID251 - the floor is raw IMAP, measured beside the webmail
from django.conf import settings

ENVELOPE_ITEMS = ["ENVELOPE", "FLAGS", "RFC822.SIZE", "INTERNALDATE", "BODYSTRUCTURE"]
PAGE_SIZE = 50


def connect(login: str) -> imapclient.IMAPClient:
    """Logged in as the webmail is: ``login*master`` with the master secret."""
    client = imapclient.IMAPClient(
        settings.IMAP_HOST, port=settings.IMAP_PORT, ssl=False, timeout=60
    )
    client.login(f"{login}*{settings.DOVECOT_MASTER_USER}", settings.DOVECOT_MASTER_SECRET)
    return client


@contextmanager
def session(login: str, folder: str | None = "INBOX") -> Iterator[imapclient.IMAPClient]:
    client = connect(login)
    try:
        if folder:
            client.select_folder(folder)
        yield client
    finally:
        client.logout()


def inbox_page(client: imapclient.IMAPClient) -> list[int]:
    """UID SORT (REVERSE DATE) UTF-8 ALL, then UID FETCH of the first 50 envelopes."""
    uids = client.sort(["REVERSE DATE"], ["ALL"])
    page = uids[:PAGE_SIZE]
    data = client.fetch(page, ENVELOPE_ITEMS)
    if len(data) != len(page):
        raise RuntimeError(f"fetched {len(data)} envelopes of {len(page)}")
    return page


def first_page(login: str) -> None:
    """Connect, log in, SELECT INBOX, SORT, FETCH 50: a webmail with nothing warm."""
    client = connect(login)
    client.select_folder("INBOX")
    inbox_page(client)
    client.logout()


def open_message(client: imapclient.IMAPClient, uid: int) -> None:
    data = client.fetch([uid], ["BODY.PEEK[]"])
    if not data.get(uid, {}).get(b"BODY[]"):
        raise RuntimeError(f"no body for UID {uid}")


def searchable_folders(client: imapclient.IMAPClient) -> list[str]:
    """Every selectable folder but Trash and Junk, as the webmail searches them."""
    skip = {b"\\Noselect", b"\\NonExistent", b"\\Trash", b"\\Junk"}
    return [name for flags, _, name in client.list_folders() if not skip & set(flags)]


def search_everywhere(client: imapclient.IMAPClient, folders: list[str], word: str) -> dict:
    """SELECT and UID SEARCH TEXT in every folder: {folder: [uids]}."""
    hits = {}
    for folder in folders:
        client.select_folder(folder)
        hits[folder] = client.search(["TEXT", word])
    return hits


def sorted_hits(client: imapclient.IMAPClient, word: str) -> list[int]:
    """UID SORT (REVERSE DATE) UTF-8 TEXT: every hit of the selected folder, newest first."""
    return client.sort(["REVERSE DATE"], ["TEXT", word])


def first_search_here(client: imapclient.IMAPClient, word: str) -> int:
    """What a search in the selected folder needs: every hit in date order (the count), then
    the envelopes of page 1. Returns the number of hits."""
    hits = sorted_hits(client, word)
    if hits:
        client.fetch(hits[:PAGE_SIZE], ENVELOPE_ITEMS)
    return len(hits)


def first_search_everywhere(client: imapclient.IMAPClient, folders: list[str], word: str) -> int:
    """The same over every folder: SELECT + SORT in each, then one FETCH of a page of
    envelopes (those of the last folder with hits; the webmail reads the dates of each
    folder's first page to merge them). Returns the number of hits."""
    total, last = 0, []
    for folder in folders:
        client.select_folder(folder)
        hits = sorted_hits(client, word)
        total += len(hits)
        last = hits or last
    if last:
        client.fetch(last[:PAGE_SIZE], ENVELOPE_ITEMS)
    return total


def move_all_back(client: imapclient.IMAPClient, source: str, target: str = "INBOX") -> int:
    """Empty ``source`` into ``target`` (the untimed half of the move measure)."""
    client.select_folder(source)
    uids = client.search(["ALL"])
    if uids:
        client.move(uids, target)
    client.unselect_folder()
    return len(uids)


def newest_uids(client: imapclient.IMAPClient, count: int = PAGE_SIZE) -> list[int]:
    """The UIDs of page 1 of the selected folder (newest first), after a NOOP: Dovecot shows
    a session the changes of other sessions only when it syncs."""
    client.noop()
    return client.sort(["REVERSE DATE"], ["ALL"])[:count]
