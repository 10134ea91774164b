"""One logged-in IMAP connection to one Dovecot user, remembering the selected folder."""

import contextlib
import dataclasses
import re
import time
from datetime import UTC, date, datetime

import imapclient
from imapclient.exceptions import IMAPClientError
from imapclient.imap_utf7 import decode as decode_utf7
from imapclient.response_parser import parse_response

from mail.imap.cache import FolderCache, FolderState, folder_caches
from mail.imap.structure import copied_uids, has_attachments
from mail.imap.teamwork import TeamworkMixin
from mail.imap.types import (
    SPECIAL_USES,
    Conversation,
    ConversationPage,
    EnvelopeSummary,
    Folder,
    InvalidRequest,
    MessagePage,
    SearchQuery,
    SortKey,
    check_flags,
    check_folder,
    check_text,
    check_uid,
    check_uids,
    decode_words,
)
from mail.message.dates import parse_date

# $MDNSent (RFC 3503): a read receipt was sent, or the reader chose not to send one.
_FLAGS = {"seen": imapclient.SEEN, "flagged": imapclient.FLAGGED, "mdnsent": b"$MDNSent"}
_SORT = {
    SortKey.DATE: "DATE",
    SortKey.FROM: "FROM",
    SortKey.SUBJECT: "SUBJECT",
    SortKey.SIZE: "SIZE",
}
# The Date field itself: imapclient would read ENVELOPE's date into the server's local time at
# today's DST offset, or naive for -0000; mail.message.dates reads it like the reading page.
_DATE_ITEM = "BODY.PEEK[HEADER.FIELDS (DATE)]"
_DATE_KEY = b"BODY[HEADER.FIELDS (DATE)]"
_ENVELOPE_ITEMS = [
    "ENVELOPE", "FLAGS", "RFC822.SIZE", "INTERNALDATE", "BODYSTRUCTURE", _DATE_ITEM,
]  # fmt: skip
_EARLIEST = datetime.min.replace(tzinfo=UTC)
_QUOTA_SECONDS = 60
# Envelopes kept per folder; past this, the cache starts again from the pages people open.
_MAX_CACHED_ENVELOPES = 2000
# A search over every folder stops collecting after this many hits per folder.
_MAX_HITS_PER_FOLDER = 1000
_HEADER_NAME = re.compile(r"[A-Za-z0-9-]{1,76}")


def _flatten(thread) -> list[int]:
    """THREAD answers nest replies in tuples; a conversation is all of its UIDs."""
    if isinstance(thread, int):
        return [thread]
    return [uid for part in thread for uid in _flatten(part)]


def _keywords(flags) -> frozenset[str]:
    """Keywords (no backslash) such as the shared mailboxes' states, for the list."""
    return frozenset(
        f.decode("ascii", "replace") for f in flags if isinstance(f, bytes) and f[:1] != b"\\"
    )


def _summary(uid: int, data: dict, folder: str) -> EnvelopeSummary:
    envelope = data.get(b"ENVELOPE")
    sender_name = sender_address = subject = ""
    field = (data.get(_DATE_KEY) or b"").partition(b":")[2]
    date = parse_date(field)
    if envelope is not None:
        subject = decode_words(envelope.subject)
        people = envelope.from_ or envelope.sender or ()
        if people:
            person = people[0]
            sender_name = decode_words(person.name)
            mailbox = (person.mailbox or b"").decode("utf-8", "replace")
            host = (person.host or b"").decode("utf-8", "replace")
            sender_address = f"{mailbox}@{host}" if host else mailbox
    flags = data.get(b"FLAGS", ())
    return EnvelopeSummary(
        uid=uid,
        subject=subject,
        sender_name=sender_name,
        sender_address=sender_address,
        date=date or data.get(b"INTERNALDATE"),
        size=data.get(b"RFC822.SIZE", 0),
        seen=imapclient.SEEN in flags,
        flagged=imapclient.FLAGGED in flags,
        has_attachments=has_attachments(data.get(b"BODYSTRUCTURE")),
        folder=folder,
        message_id=(envelope.message_id or b"").decode("utf-8", "replace") if envelope else "",
        keywords=_keywords(flags),
    )


class MailboxSession(TeamworkMixin):
    def __init__(self, client: imapclient.IMAPClient, imap_user: str):
        self._client = client
        client.normalise_times = False  # INTERNALDATE keeps its zone: aware, never naive
        self._user = imap_user
        self._selected: str | None = None
        self._folders: list[Folder] | None = None
        self._quota: tuple[int, int] | None = None
        self._quota_at = 0.0

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

    # --- folders ----------------------------------------------------------------------------
    def folders(self, *, refresh: bool = False) -> list[Folder]:
        """Every folder with its special use and counts; the tree order is the caller's."""
        if self._folders is not None and not refresh:
            return self._folders
        listed, counts = self._list_with_status()
        result = []
        for flags, delimiter, name in listed:
            selectable = b"\\Noselect" not in flags and b"\\NonExistent" not in flags
            special = next((SPECIAL_USES[f] for f in flags if f in SPECIAL_USES), None)
            if name.upper() == "INBOX":
                special = "inbox"
            total, unread = counts.get(name, (0, 0))
            result.append(
                Folder(
                    name=name,
                    delimiter=(delimiter or b"/").decode(),
                    special_use=special,
                    subscribed=b"\\Subscribed" in flags,
                    total=total,
                    unread=unread,
                    selectable=selectable,
                )
            )
        self._folders = result
        return result

    def _list_with_status(self) -> tuple[list, dict[str, tuple[int, int]]]:
        """Folders, subscriptions and counts in one round trip (RFC 5819 LIST-STATUS, RFC 5258
        RETURN options), which imapclient has no method for."""
        imap = self._client._imap
        imap.untagged_responses.pop("STATUS", None)
        listed = self._client._raw_command_untagged(
            b"LIST",
            [b'""', b'"*"', b"RETURN (SUBSCRIBED SPECIAL-USE STATUS (MESSAGES UNSEEN))"],
            uid=False,
        )
        counts = {}
        for line in imap.untagged_responses.pop("STATUS", []):
            name, values = parse_response([line])
            pairs = dict(zip(values[::2], values[1::2], strict=True))
            if isinstance(name, bytes):
                name = decode_utf7(name)
            counts[str(name)] = (pairs.get(b"MESSAGES", 0), pairs.get(b"UNSEEN", 0))
        return self._client._proc_folder_list(listed), counts

    def special_folder(self, use: str) -> str | None:
        return next((f.name for f in self.folders() if f.special_use == use), None)

    def create_folder(self, name: str) -> None:
        self._client.create_folder(check_folder(name))
        self._client.subscribe_folder(name)
        self._folders = None

    def rename_folder(self, old: str, new: str) -> None:
        self._guard_special(old)
        if self._selected == old:
            self._client.unselect_folder()
            self._selected = None
        self._client.rename_folder(check_folder(old), check_folder(new))
        self._folders = None

    def delete_folder(self, name: str) -> None:
        """Its messages go to the Trash first, so a wrong click loses nothing."""
        self._guard_special(name)
        trash = self.special_folder("trash")
        self._select(name)
        uids = self._client.search("ALL")
        if uids and trash:
            self._client.move(uids, trash)
        self._client.unselect_folder()
        self._selected = None
        self._client.delete_folder(name)
        self._folders = None

    def subscribe(self, name: str, on: bool) -> None:
        if on:
            self._client.subscribe_folder(check_folder(name))
        else:
            self._client.unsubscribe_folder(check_folder(name))
        self._folders = None

    def _guard_special(self, name: str) -> None:
        folder = next((f for f in self.folders() if f.name == check_folder(name)), None)
        if folder is None:
            raise InvalidRequest(f"no folder {name!r}")
        if folder.special_use:
            raise InvalidRequest(f"{name!r} is a special folder")

    def quota(self) -> tuple[int, int] | None:
        """(used, limit) in KiB for the INBOX's quota root, or None without a quota; asked
        again at most every minute, since it only moves slowly."""
        if self._quota_at and time.monotonic() - self._quota_at < _QUOTA_SECONDS:
            return self._quota
        self._quota = None
        with contextlib.suppress(IMAPClientError):
            for quota in self._client.get_quota("INBOX"):
                if quota.resource.upper() == "STORAGE":
                    self._quota = (quota.usage, quota.limit)
        self._quota_at = time.monotonic()
        return self._quota

    # --- the cache ----------------------------------------------------------------------------
    def _fresh_cache(self, folder: str) -> FolderCache:
        """Select the folder, ask its state (one STATUS) and bring the cache up to it."""
        # STATUS on the selected folder answers from this connection's view of it, which
        # _select has just brought up to date with other clients' changes (Dovecot).
        self._select(folder)
        status = self._client.folder_status(
            folder, [b"UIDVALIDITY", b"UIDNEXT", b"MESSAGES", b"HIGHESTMODSEQ"]
        )
        state = FolderState(
            uidvalidity=status[b"UIDVALIDITY"],
            uidnext=status[b"UIDNEXT"],
            messages=status[b"MESSAGES"],
            highestmodseq=status.get(b"HIGHESTMODSEQ", 0),
        )
        cache, known_modseq = folder_caches.get(self._user, folder, state)
        with cache.lock:
            old = cache.state
            if known_modseq is None or old == state:
                return cache
            if (old.uidnext, old.messages) != (state.uidnext, state.messages):
                cache.sorted_uids.clear()
            else:  # only flags changed: lists filtered on flags are stale, the others are not
                for key in [key for key in cache.sorted_uids if key[3]]:
                    del cache.sorted_uids[key]
            if len(cache.envelopes) > _MAX_CACHED_ENVELOPES:
                cache.envelopes.clear()  # cheaper to fetch pages again than to ask about all
            if cache.envelopes and state.highestmodseq != old.highestmodseq:
                changed = self._client.fetch(
                    sorted(cache.envelopes),
                    ["FLAGS"],
                    modifiers=[f"CHANGEDSINCE {old.highestmodseq}"],
                )
                for uid, data in changed.items():
                    if uid in cache.envelopes:
                        flags = data.get(b"FLAGS", ())
                        cache.envelopes[uid] = dataclasses.replace(
                            cache.envelopes[uid],
                            seen=imapclient.SEEN in flags,
                            flagged=imapclient.FLAGGED in flags,
                            keywords=_keywords(flags),
                        )
            cache.state = state
        return cache

    def _sorted(self, cache: FolderCache, sort: SortKey, reverse: bool, query: SearchQuery):
        criteria = query.criteria()
        key = (
            sort, reverse, tuple(str(c) for c in criteria), query.unread or query.flagged,
            query.with_attachments,
        )  # fmt: skip
        with cache.lock:
            uids = cache.sorted_uids.get(key)
        if uids is None:
            order = _SORT[sort]
            uids = self._client.sort([f"REVERSE {order}" if reverse else order], criteria)
            if query.with_attachments:
                uids = self._attached_only(cache, uids)
            with cache.lock:
                if len(cache.sorted_uids) > 16:  # many one-off searches: keep memory bounded
                    cache.sorted_uids.clear()
                cache.sorted_uids[key] = uids
        return uids

    # --- lists ------------------------------------------------------------------------------
    def list_page(
        self,
        folder: str,
        *,
        page: int,
        page_size: int,
        sort: SortKey = SortKey.DATE,
        reverse: bool = True,
        query: SearchQuery | None = None,
    ) -> MessagePage:
        """One page of envelopes. The server sorts (RFC 5256; DATE falls back to arrival);
        the folder cache answers again while the folder is unchanged."""
        cache = self._fresh_cache(folder)
        uids = self._sorted(cache, sort, reverse, query or SearchQuery())
        page = max(1, page)
        wanted = uids[(page - 1) * page_size : page * page_size]
        found = self._cached_envelopes(cache, folder, wanted)
        envelopes = [found[uid] for uid in wanted if uid in found]
        return MessagePage(folder, envelopes, len(uids), page, page_size)

    def _threads(self, cache: FolderCache, query: SearchQuery) -> list[list[int]]:
        """Conversations as UID lists, the most recently active first (UIDs grow with
        arrival), cached like the sorted lists."""
        key = (
            "thread",
            True,
            tuple(str(c) for c in query.criteria()),
            query.unread or query.flagged,
            query.with_attachments,
        )
        with cache.lock:
            threads = cache.sorted_uids.get(key)
        if threads is None:
            threads = [
                sorted(_flatten(t)) for t in self._client.thread("REFERENCES", query.criteria())
            ]
            if query.with_attachments:  # a conversation with at least one
                attached = set(self._attached_only(cache, [u for t in threads for u in t]))
                threads = [t for t in threads if attached.intersection(t)]
            threads.sort(key=lambda uids: uids[-1], reverse=True)
            with cache.lock:
                cache.sorted_uids[key] = threads
        return threads

    def conversations_page(
        self, folder: str, *, page: int, page_size: int, query: SearchQuery | None = None
    ) -> ConversationPage:
        cache = self._fresh_cache(folder)
        threads = self._threads(cache, query or SearchQuery())
        page = max(1, page)
        chosen = threads[(page - 1) * page_size : page * page_size]
        envelopes = self._cached_envelopes(cache, folder, [u for t in chosen for u in t])
        conversations = [
            Conversation(
                sorted(
                    (envelopes[u] for u in t if u in envelopes),
                    key=lambda e: (e.date or _EARLIEST, e.uid),
                )
            )
            for t in chosen
        ]
        return ConversationPage(
            folder, [c for c in conversations if c.envelopes], len(threads), page, page_size
        )

    def conversation_of(self, folder: str, uid: int) -> Conversation | None:
        cache = self._fresh_cache(folder)
        thread = next((t for t in self._threads(cache, SearchQuery()) if check_uid(uid) in t), None)
        if thread is None:
            return None
        envelopes = self._cached_envelopes(cache, folder, thread)
        return Conversation(
            sorted(envelopes.values(), key=lambda e: (e.date or _EARLIEST, e.uid))
        )

    def _attached_only(self, cache: FolderCache | None, uids: list[int]) -> list[int]:
        """The UIDs (of the selected folder) whose BODYSTRUCTURE shows an attachment. SEARCH
        cannot say it: HEADER Content-Type is answered by the full-text index (fts_enforced),
        which does not hold that header, and multipart/mixed proves nothing anyway. Envelopes
        already cached know; the others cost one FETCH BODYSTRUCTURE, cached by Dovecot."""
        known: dict[int, EnvelopeSummary] = {}
        if cache is not None:
            with cache.lock:
                known = {uid: cache.envelopes[uid] for uid in uids if uid in cache.envelopes}
        found = {uid for uid, envelope in known.items() if envelope.has_attachments}
        missing = [uid for uid in uids if uid not in known]
        for start in range(0, len(missing), 1000):
            data = self._client.fetch(missing[start : start + 1000], ["BODYSTRUCTURE"])
            found.update(
                uid for uid, item in data.items() if has_attachments(item.get(b"BODYSTRUCTURE"))
            )
        return [uid for uid in uids if uid in found]

    def fetch_many_raw(self, folder: str, uids: list[int]) -> dict[int, bytes]:
        """Whole messages (marked read), for a conversation read in one go."""
        self._select(folder)
        data = self._client.fetch(check_uids(uids), ["BODY[]"])
        return {uid: data[uid][b"BODY[]"] for uid in uids if uid in data}

    def _cached_envelopes(self, cache: FolderCache, folder: str, uids: list[int]) -> dict:
        with cache.lock:
            missing = [uid for uid in uids if uid not in cache.envelopes]
        if missing:
            fetched = self._envelopes(folder, missing)
            with cache.lock:
                cache.envelopes.update((envelope.uid, envelope) for envelope in fetched)
        with cache.lock:
            return {uid: cache.envelopes[uid] for uid in uids if uid in cache.envelopes}

    def _envelopes(self, folder: str, uids: list[int]) -> list[EnvelopeSummary]:
        if not uids:
            return []
        data = self._client.fetch(uids, _ENVELOPE_ITEMS)
        return [_summary(uid, data[uid], folder) for uid in uids if uid in data]

    def search_everywhere(self, query: SearchQuery, *, page: int, page_size: int) -> MessagePage:
        """Every folder but Trash and Junk, newest first, with each result's folder."""
        hits: list[tuple[datetime, str, int]] = []
        for folder in self.folders():
            if not folder.selectable or folder.special_use in ("trash", "junk"):
                continue
            self._select(folder.name)
            uids = self._client.sort(["REVERSE DATE"], query.criteria())
            if query.with_attachments:
                uids = self._attached_only(None, uids)
            uids = uids[:_MAX_HITS_PER_FOLDER]
            if uids:
                dates = self._client.fetch(uids, ["INTERNALDATE"])
                hits += [(dates[u][b"INTERNALDATE"], folder.name, u) for u in uids if u in dates]
        hits.sort(key=lambda hit: hit[0], reverse=True)
        page = max(1, page)
        chosen = hits[(page - 1) * page_size : page * page_size]
        by_folder: dict[str, list[int]] = {}
        for _, name, uid in chosen:
            by_folder.setdefault(name, []).append(uid)
        found = {}
        for name, uids in by_folder.items():
            self._select(name)
            found.update({(name, e.uid): e for e in self._envelopes(name, uids)})
        envelopes = [found[(name, uid)] for _, name, uid in chosen if (name, uid) in found]
        return MessagePage("", envelopes, len(hits), page, page_size)

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
        uids = sorted(self._client.search(["SINCE", since]))[-_MAX_HITS_PER_FOLDER:]
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

    # --- changes ----------------------------------------------------------------------------
    def append(self, folder: str, raw: bytes, *, seen: bool = True, draft: bool = False) -> int:
        """Store a message (a sent copy, a draft); returns its UID (UIDPLUS, RFC 4315)."""
        flags = [imapclient.SEEN] if seen else []
        if draft:
            flags.append(imapclient.DRAFT)
        answer = self._client.append(check_folder(folder), raw, flags=flags)
        self._folders = None
        # "[APPENDUID <uidvalidity> <uid>] Append completed."
        text = answer.decode() if isinstance(answer, bytes) else str(answer)
        if "APPENDUID" in text:
            return int(text.split("APPENDUID", 1)[1].split("]", 1)[0].split()[1])
        return 0

    def remove(self, folder: str, uids) -> None:
        """Expunge for good (a replaced draft), without going through the Trash."""
        self._select(folder)
        uids = check_uids(uids)
        self._client.add_flags(uids, [imapclient.DELETED], silent=True)
        self._client.uid_expunge(uids)
        self._folders = None

    def set_flag(self, folder: str, uids, flag: str, on: bool) -> None:
        if flag not in _FLAGS:
            raise InvalidRequest(f"unknown flag {flag!r}")
        self._select(folder)
        change = self._client.add_flags if on else self._client.remove_flags
        change(check_uids(uids), [_FLAGS[flag]], silent=True)
        self._folders = None

    def move(self, folder: str, uids, target: str) -> dict[int, int]:
        """Old UID → new UID in ``target``, from the COPYUID that MOVE answers (RFC 6851 §4.3,
        RFC 4315), so «Annuler» can move exactly these messages back."""
        if check_folder(target) == check_folder(folder):
            return {}
        self._select(folder)
        uids = check_uids(uids)
        # imaplib files the untagged «OK [COPYUID …]» under its response code; imapclient
        # returns only the tagged answer, so it is read (and cleared) there.
        pending = self._client._imap.untagged_responses
        pending.pop("COPYUID", None)
        self._client.move(uids, target)
        self._folders = None
        return copied_uids(pending.pop("COPYUID", []))

    def delete(self, folder: str, uids) -> dict[int, int]:
        """To the Trash (old UID → UID in the Trash); from the Trash or Junk, for good ({})."""
        trash = self.special_folder("trash")
        here = next((f for f in self.folders() if f.name == folder), None)
        if trash and here and here.special_use not in ("trash", "junk"):
            return self.move(folder, uids, trash)
        self._select(folder)
        uids = check_uids(uids)
        self._client.add_flags(uids, [imapclient.DELETED], silent=True)
        self._client.uid_expunge(uids)
        self._folders = None
        return {}

    def empty(self, folder: str) -> int:
        """Empty the Trash or Junk folder; refuses any other folder."""
        here = next((f for f in self.folders() if f.name == check_folder(folder)), None)
        if here is None or here.special_use not in ("trash", "junk"):
            raise InvalidRequest("only the Trash and Junk folders can be emptied")
        self._select(folder)
        uids = self._client.search("ALL")
        if uids:
            self._client.add_flags(uids, [imapclient.DELETED], silent=True)
            self._client.expunge()
        self._folders = None
        return len(uids)

    # --- rules: delivery into a folder, «Appliquer maintenant», the preview ----------------------
    def deliver_into(self, folder: str, raw: bytes, *, flags=()) -> int:
        """APPEND an arriving message straight into its folder with its flags and keywords,
        creating the folder if the person deleted it since (as Sieve's fileinto :create)."""
        folder = self.ensure_folder(folder)
        answer = self._client.append(folder, raw, flags=check_flags(flags))
        self._folders = None
        text = answer.decode() if isinstance(answer, bytes) else str(answer)
        if "APPENDUID" in text:
            return int(text.split("APPENDUID", 1)[1].split("]", 1)[0].split()[1])
        return 0

    def ensure_folder(self, folder: str) -> str:
        folder = check_folder(folder)
        if folder.upper() != "INBOX" and not any(f.name == folder for f in self.folders()):
            self.create_folder(folder)
        return folder

    def all_uids(self, folder: str) -> list[int]:
        self._select(folder)
        return sorted(self._client.search("ALL"))

    def message_heads(self, folder: str, uids, *, max_bytes: int) -> dict[int, tuple[bytes, int]]:
        """The first ``max_bytes`` of each message (left unread) and its whole size."""
        self._select(folder)
        part = f"BODY.PEEK[]<0.{int(max_bytes)}>"
        data = self._client.fetch(check_uids(uids), [part, "RFC822.SIZE"])
        return {
            uid: (item.get(b"BODY[]<0>", b"") or b"", item.get(b"RFC822.SIZE", 0))
            for uid, item in data.items()
        }

    def add_flags(self, folder: str, uids, flags) -> None:
        self._select(folder)
        self._client.add_flags(check_uids(uids), check_flags(flags), silent=True)
        self._folders = None

    def holds_header(self, folder: str, name: str, value: str, *, since: date) -> bool:
        """Whether ``folder`` holds a message arrived on or after ``since`` whose header
        ``name`` contains ``value``; a folder that does not exist holds nothing. Not SEARCH
        HEADER: with fts_enforced, fts-xapian answers it from its index, which matches Subject
        or Message-ID but no X- header; the date search and the FETCH of one header field
        do not go through the full-text index."""
        if not _HEADER_NAME.fullmatch(name):
            raise InvalidRequest(f"invalid header name: {name!r}")
        if check_folder(folder).upper() != "INBOX" and not any(
            f.name == folder for f in self.folders(refresh=True)
        ):
            return False
        self._select(folder)
        uids = self._client.search(["SINCE", since])
        wanted = check_text(value, limit=998).encode()
        for start in range(0, len(uids), 500):
            fetched = self._client.fetch(
                uids[start : start + 500], [f"BODY.PEEK[HEADER.FIELDS ({name})]"]
            )
            for item in fetched.values():
                if any(wanted in part for key, part in item.items()
                       if key.startswith(b"BODY[HEADER.FIELDS") and part):  # fmt: skip
                    return True
        return False

    def copy_once(self, folder: str, uid: int, target: str, message_id: str) -> bool:
        """Copy unless ``target`` already holds a message with this Message-ID, so running a
        rule again copies nothing twice. Returns whether it copied."""
        target = self.ensure_folder(target)
        if message_id:
            self._select(target)
            if self._client.search(["HEADER", "Message-ID", check_text(message_id, limit=998)]):
                return False
        self._select(folder)
        self._client.copy([check_uid(uid)], target)
        self._folders = None
        return True
