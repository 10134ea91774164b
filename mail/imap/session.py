"""One logged-in IMAP connection to one Dovecot user, remembering the selected folder.

The commands are grouped by concern in mixins: folders (folder_admin), lists and search
(listing), changes to messages (changes), delivery and rules (filing), team work (teamwork);
one message's reading is here."""

import contextlib
import functools
from datetime import date

import imapclient
from imapclient.exceptions import IMAPClientAbortError, IMAPClientError

from mail.imap.changes import ChangesMixin
from mail.imap.filing import FilingMixin
from mail.imap.folder_admin import FoldersMixin
from mail.imap.listing import ListingMixin
from mail.imap.search import SearchMixin
from mail.imap.teamwork import TeamworkMixin
from mail.imap.types import (
    Folder,
    InvalidRequest,
    SearchQuery,
    SortKey,
    check_folder,
    check_uid,
)

# Read receipts are looked for among this many of the messages since the date, the newest.
_MAX_REPORT_CANDIDATES = 1000


class _Refusals:
    """The client, whose refused commands raise InvalidRequest at once, inside the caller's
    ``with imap_session`` block: a view's ``except InvalidRequest`` then sees them. A lost
    connection (abort) is left to the pool."""

    def __init__(self, client: imapclient.IMAPClient):
        self._wrapped = client

    def __getattr__(self, name):
        attribute = getattr(self._wrapped, name)
        if not callable(attribute):
            return attribute

        @functools.wraps(attribute)
        def command(*args, **kwargs):
            try:
                return attribute(*args, **kwargs)
            except IMAPClientAbortError:
                raise
            except IMAPClientError as exc:
                raise InvalidRequest(str(exc)) from exc

        return command


class MailboxSession(
    FoldersMixin, ListingMixin, SearchMixin, ChangesMixin, FilingMixin, TeamworkMixin
):
    def __init__(self, client: imapclient.IMAPClient, imap_user: str):
        self._client = _Refusals(client)
        client.normalise_times = False  # INTERNALDATE keeps its zone: aware, never naive
        self._user = imap_user
        self._selected: str | None = None
        self._folders: list[Folder] | None = None
        self._cache_state = None  # the folder state of the last _fresh_cache (ListingMixin)
        self._quota: tuple[int, int] | None = None
        self._quota_at = 0.0
        self.pool_generation = 0  # when the pool lent it (mail/imap/pool.py)

    # --- state ------------------------------------------------------------------------------
    def _select(self, folder: str) -> None:
        """Select the folder, or, when it already is, bring this connection's view of it up
        to date (NOOP): a UID another connection just added is otherwise unknown here."""
        folder = check_folder(folder)
        if self._selected == folder:
            self._client.noop()
            return
        self._selected = None
        self._client.select_folder(folder)
        self._selected = folder

    def forget_selection(self) -> None:
        self._selected = None

    def noop(self) -> None:
        self._client.noop()

    def logout(self) -> None:
        with contextlib.suppress(IMAPClientError, OSError):
            self._client.logout()

    # --- one message ------------------------------------------------------------------------
    def fetch_raw(self, folder: str, uid: int, *, mark_seen: bool = True) -> bytes | None:
        """The whole message, or None when no such UID exists in the folder."""
        self._select(folder)
        item = "BODY[]" if mark_seen else "BODY.PEEK[]"
        data = self._client.fetch([check_uid(uid)], [item])
        if uid not in data:
            return None
        return data[uid].get(b"BODY[]")

    def neighbours(self, folder: str, uid: int) -> tuple[int | None, int | None]:
        """(newer, older) UIDs around ``uid`` in the default order, for previous/next links."""
        cache = self._fresh_cache(folder)
        uids = self._sorted(cache, SortKey.DATE, True, SearchQuery())
        if uid not in uids:
            return None, None
        index = uids.index(uid)
        newer = uids[index - 1] if index > 0 else None
        older = uids[index + 1] if index + 1 < len(uids) else None
        return newer, older

    def flags(self, folder: str, uid: int) -> set[str]:
        """The message's flags and keywords (``\\Seen``, ``$MDNSent``…), lower-cased."""
        self._select(folder)
        data = self._client.fetch([check_uid(uid)], ["FLAGS"])
        flags = data.get(uid, {}).get(b"FLAGS", ())
        return {(f.decode() if isinstance(f, bytes) else str(f)).lower() for f in flags}

    def read_reports(self, folder: str, *, since: date, limit: int = 200) -> dict[int, bytes]:
        """Read receipts (multipart/report; report-type=disposition-notification) that
        arrived since ``since``, the newest ``limit`` of them."""
        # Dovecot's full-text index does not answer HEADER Content-Type searches: the
        # type is read from the (cached) header field of each message since that date.
        self._select(folder)
        uids = sorted(self._client.search(["SINCE", since]))[-_MAX_REPORT_CANDIDATES:]
        if not uids:
            return {}
        item = b"BODY[HEADER.FIELDS (CONTENT-TYPE)]"
        headers = self._client.fetch(uids, ["BODY.PEEK[HEADER.FIELDS (CONTENT-TYPE)]"])
        reports = [
            uid
            for uid in uids
            if b"disposition-notification" in (headers.get(uid, {}).get(item) or b"").lower()
        ][-limit:]
        if not reports:
            return {}
        data = self._client.fetch(reports, ["BODY.PEEK[]"])
        return {uid: data[uid][b"BODY[]"] for uid in reports if uid in data}

    def arrivals(self, folder: str, *, after_uid: int, limit: int = 20):
        """(highest UID now, the unread messages that arrived after ``after_uid``, newest
        last): what the page's new-mail notices need. A negative ``after_uid`` asks only
        for the highest UID, to start from."""
        self._select(folder)  # first: Dovecot answers STATUS on the selected folder as of
        # this connection's last sync, which the NOOP of _select brings up to date
        status = self._client.folder_status(check_folder(folder), [b"UIDNEXT"])
        highest = int(status[b"UIDNEXT"]) - 1
        if after_uid < 0 or highest <= after_uid:
            return highest, []
        uids = self._client.search(["UID", f"{int(after_uid) + 1}:*", "UNSEEN"])
        uids = sorted(u for u in uids if u > after_uid)[-limit:]
        return highest, self._envelopes(folder, uids)
