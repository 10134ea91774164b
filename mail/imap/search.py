"""Search in one folder or in every folder but Trash and Junk, newest first, counted exactly.

Each folder answers `UID SORT (REVERSE DATE) UTF-8 <criteria>` once (Dovecot's full-text index,
fts-xapian, answers TEXT, BODY and, with fts_enforced, the header criteria): every hit, in the
folder's own date order, so the count is exact however many there are. The folders' lists are
then merged by date (heapq.merge), reading the date of a hit only when the merge may reach
it: page *p* needs at most the first *p* × page size hits of each folder (their Date field
and arrival, a light FETCH), then the envelopes of the page's own hits. Each folder's hits,
with the dates read so far, are kept in the Django cache (Redis) under its user, the query
and its state — UIDVALIDITY, UIDNEXT and the message count as LIST-STATUS gives them, and
HIGHESTMODSEQ for a query on flags (unread, flagged) — so that page 2 continues the merge of
page 1 without searching again, in any web process, and a folder that received mail is
searched again alone.
A whole page is also kept, under every folder's full state (HIGHESTMODSEQ included: its
envelopes show flags), for the way back.

«With attachments» is not an IMAP criterion (mail.imap.structure): the hits of the other
criteria are candidates, examined newest first as the pages need them (one FETCH with
BODYSTRUCTURE). When fewer than ``COUNT_EXAMINED_LIMIT`` candidates remain unexamined after
the page, they are examined too and the count is exact; beyond that, the results say how
many were found among the candidates examined, and how many candidates were left.
"""

import hashlib
import heapq
from array import array
from dataclasses import astuple, dataclass, field
from itertools import islice

from django.core.cache import cache

from mail.imap.dates import parse_date
from mail.imap.listing import _DATE_ITEM, _DATE_KEY, _ENVELOPE_ITEMS, _summary
from mail.imap.structure import has_attachments
from mail.imap.types import (
    Folder,
    InvalidRequest,
    SearchQuery,
    SearchResults,
    check_folder,
)

# Candidates (attachments only) examined past the page to give an exact count, at most.
COUNT_EXAMINED_LIMIT = 1000
# Candidates examined per FETCH when looking for messages with an attachment.
_EXAMINE_CHUNK = 250
_CACHE_SECONDS = 15 * 60
_DATE_ITEMS = ["INTERNALDATE", _DATE_ITEM]
_LIGHT_ITEMS = [*_DATE_ITEMS, "BODYSTRUCTURE"]


@dataclass
class FolderHits:
    """One folder's answer to one query, as cached: the SORT's UIDs (candidates), how many of
    them have been examined (date read; attachment known), and those kept with their dates."""

    candidates: array
    examined: int = 0
    kept: array = field(default_factory=lambda: array("I"))
    stamps: array = field(default_factory=lambda: array("d"))

    @property
    def unexamined(self) -> int:
        return len(self.candidates) - self.examined

    def found(self, with_attachments: bool) -> int:
        """Hits known: the kept ones, and for a plain query the unexamined candidates too."""
        return len(self.kept) + (0 if with_attachments else self.unexamined)

    def merged_keys(self, index: int):
        """(-date, folder, position, uid) of the kept hits, in the folder's order."""
        pairs = zip(self.stamps, self.kept, strict=True)
        return ((-stamp, index, n, uid) for n, (stamp, uid) in enumerate(pairs))


def _stamp(data: dict) -> float:
    """The date a hit is merged by: the Date field, as SORT DATE reads it (RFC 5256), else
    the arrival."""
    date = parse_date((data.get(_DATE_KEY) or b"").partition(b":")[2]) or data.get(b"INTERNALDATE")
    return date.timestamp() if date else 0.0


def _key(*parts) -> str:
    return "mail-search:" + hashlib.sha256(repr(parts).encode()).hexdigest()


class SearchMixin:
    def search_folders(
        self, query: SearchQuery, *, page: int, page_size: int, folder: str | None = None
    ) -> SearchResults:
        """One page of hits in ``folder``, or in every folder but Trash and Junk."""
        if self._selected is not None:
            self._client.noop()  # LIST-STATUS answers the selected folder as this connection saw it
        searched = self._searchable(folder)  # in name order: the merge breaks ties by it
        page = max(1, page)
        states = [(f.name, f.uidvalidity, f.uidnext, f.total, f.highestmodseq) for f in searched]
        page_key = _key("page", self._user, astuple(query), states, page, page_size)
        answer = cache.get(page_key)
        if isinstance(answer, SearchResults):
            return answer
        need = page * page_size
        hits = self._folder_hits(query, searched, need)
        lists = [hits[f.name].merged_keys(n) for n, f in enumerate(searched)]
        merged = list(islice(heapq.merge(*lists), need))
        chosen = [(searched[index].name, uid) for _, index, _, uid in merged[need - page_size :]]
        shown = self._envelopes_of(chosen)
        answer = SearchResults(
            envelopes=[shown[hit] for hit in chosen if hit in shown],
            total=sum(h.found(query.with_attachments) for h in hits.values()),
            page=page,
            page_size=page_size,
            folders=len(searched),
            unexamined=sum(h.unexamined for h in hits.values()) if query.with_attachments else 0,
        )
        cache.set(page_key, answer, _CACHE_SECONDS)
        return answer

    def _enter(self, folder: str) -> None:
        """SELECT unless selected: the NOOP at the start of the search brought it up to date."""
        if self._selected != folder:
            self._select(folder)

    def _searchable(self, folder: str | None) -> list[Folder]:
        everything = [f for f in self.folders(refresh=True) if f.selectable]
        if folder is not None:
            folder = check_folder(folder)
            chosen = [f for f in everything if f.name == folder]
            if not chosen:
                raise InvalidRequest(f"no folder {folder!r}")
        else:
            chosen = [f for f in everything if f.special_use not in ("trash", "junk")]
        return sorted((f for f in chosen if f.total), key=lambda f: f.name)  # empty: no hit

    def _folder_hits(self, query, searched, need: int) -> dict[str, FolderHits]:
        """Each folder's hits, from the cache or searched now, examined far enough for the
        first ``need`` of the merge (and for an exact count, when that is cheap)."""
        by_flags = query.unread or query.flagged
        keys = {
            f.name: _key(
                "hits",
                self._user,
                f.name,
                f.uidvalidity,
                f.uidnext,
                f.total,
                f.highestmodseq if by_flags else 0,
                astuple(query),
            )  # fmt: skip
            for f in searched
        }
        cached = cache.get_many(list(keys.values())) if keys else {}
        hits: dict[str, FolderHits] = {}
        changed = set()
        # The selected folder first: it needs no SELECT.
        for f in sorted(searched, key=lambda f: f.name != self._selected):
            entry = cached.get(keys[f.name])
            if not isinstance(entry, FolderHits):
                self._enter(f.name)
                found = self._client.sort(["REVERSE DATE"], query.criteria())
                entry = FolderHits(array("I", found))
                changed.add(f.name)
            if self._examine(f.name, entry, need, query.with_attachments):
                changed.add(f.name)
            hits[f.name] = entry
        if query.with_attachments:
            unexamined = sum(h.unexamined for h in hits.values())
            if 0 < unexamined <= COUNT_EXAMINED_LIMIT:
                for name, entry in hits.items():
                    if self._examine(name, entry, len(entry.candidates), True):
                        changed.add(name)
        cache.set_many({keys[name]: hits[name] for name in changed}, _CACHE_SECONDS)
        return hits

    def _examine(self, folder: str, entry: FolderHits, need: int, attachments: bool) -> bool:
        """Read the dates (and attachments) of candidates, newest first, until ``need`` hits
        are kept or none is left: only what the merge and the count need, not envelopes
        (most of what is read here is never shown). True when something was read."""
        examined_before = entry.examined
        items = _LIGHT_ITEMS if attachments else _DATE_ITEMS
        while len(entry.kept) < need and entry.unexamined:
            size = need - len(entry.kept)
            if attachments:
                size = max(size, _EXAMINE_CHUNK)
            chunk = list(entry.candidates[entry.examined : entry.examined + size])
            self._enter(folder)
            data = self._client.fetch(chunk, items)
            for uid in chunk:
                item = data.get(uid)
                if item is None:  # expunged since the search
                    continue
                if attachments and not has_attachments(item.get(b"BODYSTRUCTURE")):
                    continue
                entry.kept.append(uid)
                entry.stamps.append(_stamp(item))
            entry.examined += len(chunk)
        return entry.examined != examined_before

    def _envelopes_of(self, chosen: list[tuple[str, int]]) -> dict:
        """The page's envelopes, one FETCH per folder, the selected folder first."""
        by_folder: dict[str, list[int]] = {}
        for name, uid in chosen:
            by_folder.setdefault(name, []).append(uid)
        shown = {}
        for name in sorted(by_folder, key=lambda n: n != self._selected):
            self._enter(name)
            data = self._client.fetch(by_folder[name], _ENVELOPE_ITEMS)
            shown.update(((name, uid), _summary(uid, item, name)) for uid, item in data.items())
        return shown
