"""Lists of messages: the per-folder cache of sorted UIDs and envelopes, pages sorted and
filtered on the server, conversations (THREAD). The search over several folders is in
mail.imap.search."""

import dataclasses
from datetime import UTC, datetime

import imapclient

from mail.imap.cache import FolderCache, FolderState, folder_caches
from mail.imap.dates import parse_date
from mail.imap.structure import has_attachments
from mail.imap.types import (
    Conversation,
    ConversationPage,
    EnvelopeSummary,
    MessagePage,
    SearchQuery,
    SortKey,
    check_uid,
    check_uids,
    decode_words,
)

_SORT = {
    SortKey.DATE: "DATE",
    SortKey.FROM: "FROM",
    SortKey.SUBJECT: "SUBJECT",
    SortKey.SIZE: "SIZE",
}
# The Date field itself: imapclient would read ENVELOPE's date into the server's local time at
# today's DST offset, or naive for -0000; mail.imap.dates reads it like the reading page.
_DATE_ITEM = "BODY.PEEK[HEADER.FIELDS (DATE)]"
_DATE_KEY = b"BODY[HEADER.FIELDS (DATE)]"
_ENVELOPE_ITEMS = [
    "ENVELOPE", "FLAGS", "RFC822.SIZE", "INTERNALDATE", "BODYSTRUCTURE", _DATE_ITEM,
]  # fmt: skip
_EARLIEST = datetime.min.replace(tzinfo=UTC)
# Envelopes kept per folder; past this, the cache starts again from the pages people open.
_MAX_CACHED_ENVELOPES = 2000


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


class ListingMixin:
    # --- the cache ----------------------------------------------------------------------------
    def _fresh_cache(self, folder: str) -> FolderCache:
        """Select the folder, ask its state and bring the cache up to it."""
        self._select(folder)
        state = self._state(folder)
        cache, known_modseq = folder_caches.get(self._user, folder, state)
        self._cache_state = state  # what this session's SORT and THREAD answers are true for
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

    def _state(self, folder: str) -> FolderState:
        """The selected folder's state from the LIST-STATUS of every folder: the page's sidebar
        shows that answer anyway, so one command serves both (it used to be a STATUS, then the
        LIST). Right after _select: Dovecot answers for the selected folder from this
        connection's view of it, which the NOOP or SELECT has just brought up to date."""
        listed = next((f for f in self.folders(refresh=True) if f.name == folder), None)
        if listed is not None and listed.uidvalidity:
            return FolderState(
                uidvalidity=listed.uidvalidity,
                uidnext=listed.uidnext,
                messages=listed.total,
                highestmodseq=listed.highestmodseq,
            )
        status = self._client.folder_status(  # a name LIST writes otherwise («inbox»)
            folder, [b"UIDVALIDITY", b"UIDNEXT", b"MESSAGES", b"HIGHESTMODSEQ"]
        )
        return FolderState(
            uidvalidity=status[b"UIDVALIDITY"],
            uidnext=status[b"UIDNEXT"],
            messages=status[b"MESSAGES"],
            highestmodseq=status.get(b"HIGHESTMODSEQ", 0),
        )

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
            self._keep(cache, key, uids)
        return uids

    def _keep(self, cache: FolderCache, key: tuple, answer: list) -> None:
        """Cache a SORT or THREAD answer, unless another request has meanwhile brought the
        cache up to a newer state of the folder than the one it was asked in."""
        with cache.lock:
            if cache.state != self._cache_state:
                return
            if len(cache.sorted_uids) > 16:  # many one-off searches: keep memory bounded
                cache.sorted_uids.clear()
            cache.sorted_uids[key] = answer

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
            self._keep(cache, key, threads)
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
        return Conversation(sorted(envelopes.values(), key=lambda e: (e.date or _EARLIEST, e.uid)))

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
