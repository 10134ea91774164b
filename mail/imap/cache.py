"""Per-folder cache of sorted UIDs, envelopes and flags, never the truth.

Every use starts with one round trip for the folder's state (the LIST-STATUS of every
folder, which the page's sidebar needs anyway); the cache answers only for the state it was
built from (RFC 7162 CONDSTORE): the same UIDVALIDITY, UIDNEXT and message count keep the
sorted lists, the same HIGHESTMODSEQ keeps the flags, and a changed HIGHESTMODSEQ costs one
`FETCH (FLAGS) (CHANGEDSINCE …)` of what actually changed. Envelopes never change in IMAP,
so they stay for as long as the UIDVALIDITY does.
"""

import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from mail.imap.types import EnvelopeSummary

# Folders kept per web process (least recently used first out).
MAX_FOLDERS = 500


@dataclass(frozen=True)
class FolderState:
    uidvalidity: int
    uidnext: int
    messages: int
    highestmodseq: int


@dataclass
class FolderCache:
    state: FolderState
    sorted_uids: dict[tuple, list[int]] = field(default_factory=dict)
    envelopes: dict[int, EnvelopeSummary] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Caches:
    def __init__(self):
        self._caches: OrderedDict[tuple[str, str], FolderCache] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, user: str, folder: str, state: FolderState) -> tuple[FolderCache, int | None]:
        """The folder's cache for ``state`` and the modseq its flags are known at (None: the
        cache is new, or the UIDVALIDITY changed, so nothing in it can be trusted)."""
        key = (user, folder)
        with self._lock:
            cache = self._caches.get(key)
            if cache is None or cache.state.uidvalidity != state.uidvalidity:
                cache = FolderCache(state=state)
                self._caches[key] = cache
                known_modseq = None
            else:
                known_modseq = cache.state.highestmodseq
            self._caches.move_to_end(key)
            while len(self._caches) > MAX_FOLDERS:
                self._caches.popitem(last=False)
        return cache, known_modseq

    def clear(self) -> None:
        with self._lock:
            self._caches.clear()


folder_caches = _Caches()
