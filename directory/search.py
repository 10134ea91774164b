"""Searching the académie's directory: one module for the «Annuaire» page and the compose
field's suggestions.

Every entry has a normalised ``search_key`` (accents and case removed, one space between words,
a space on each side). A query matches when each of its words begins a word of that key:
«helene dup» finds «Hélène Dupré», «0315678d» the staff of that UAI. PostgreSQL answers with a
trigram index (``LIKE '% dup%'``), SQLite with an FTS5 table kept by triggers (migration 0004).
Results come in ``sort_key`` order. Someone who is not listed (who left) has an empty key, so
words alone leave them out without joining thousands of matches to their accounts.
"""

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection
from django.db.models import QuerySet, Subquery, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Lower, StrIndex

from accounts.models import User
from directory.models import Etablissement, Person

MAX_WORDS = 6
SCAN_WINDOW = 1000  # entries walked in name order before turning to the word index
RARE_MAX = 5000  # matches fetched from FTS5 (SQLite) and sorted here
_WORD = re.compile(r"[0-9a-z]+")
_UAI = re.compile(r"[0-9]{7}[a-z]")  # a whole UAI, as query_words leaves it
# Letters NFKD leaves whole.
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss"})


@functools.lru_cache(maxsize=65536)  # names, functions and places recur across thousands of keys
def normalise(text: str) -> str:
    """«Hélène DUPRÉ-Lœb» → «helene dupre loeb»."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return " ".join(_WORD.findall(plain))


def query_words(query: str) -> list[str]:
    words = list(dict.fromkeys(normalise(query).split()))
    return words[:MAX_WORDS]


def key_of(*parts: str) -> str:
    """A search key: the words of every part, each once, between spaces."""
    words = dict.fromkeys(word for part in parts for word in normalise(part).split())
    return f" {' '.join(words)} "


def person_keys(
    user: User, *, functions: Iterable[str], disciplines: Iterable[str],
    etablissements: Iterable[Etablissement],
) -> tuple[str, str]:
    """(sort_key, search_key) of one directory entry; no search key for someone not listed."""
    sort_key = normalise(f"{user.last_name} {user.first_name} {user.username}")[:200]
    if not is_listed(user):
        return sort_key, ""
    places = [f"{e.name} {e.city} {e.uai}" for e in etablissements]
    login = user.username.replace(".", " ")
    search_key = key_of(
        user.first_name, user.last_name, login, *functions, *disciplines, *places
    )
    return sort_key, search_key


def etablissement_key(etab: Etablissement) -> str:
    return key_of(etab.name, etab.city, etab.uai)


def list_key(name: str, address: str) -> str:
    return key_of(name, address)


def words_begin(queryset: QuerySet, words: list[str]) -> QuerySet:
    """Rows whose ``search_key`` has a word beginning with each of ``words``."""
    for word in words:
        queryset = queryset.filter(search_key__contains=f" {word}")
    return queryset


def _words_scanned(queryset: QuerySet, words: list[str]) -> QuerySet:
    """``words_begin`` in terms no word index answers (``strpos``, ``instr``): the planner can
    only walk the names in order, which is the point of the walk (with ``LIKE``, PostgreSQL
    intersected the trigram lists of every word instead: 12 ms rather than 2 for
    «mathematiques saint orens de gameville»)."""
    for n, word in enumerate(words):
        queryset = queryset.alias(**{f"_at{n}": StrIndex("search_key", Value(f" {word}"))})
        queryset = queryset.filter(**{f"_at{n}__gt": 0})
    return queryset


def _full_text(queryset: QuerySet, words: list[str]) -> QuerySet:
    # FTS5 prefix query; the words are [0-9a-z]+ only, so quoting them is enough.
    expression = " ".join(f'"{word}"*' for word in words)
    return queryset.filter(pk__in=RawSQL(
        "SELECT rowid FROM directory_person_fts WHERE directory_person_fts MATCH %s", [expression]
    ))  # fmt: skip


def _first_ids(base: QuerySet, words: list[str], limit: int) -> list[int]:
    """The first ``limit`` matches in name order, in two steps whatever the engine. A common
    word («a», «lycee») fills the page at once while walking the names in order, but gathering
    all its matches through the word index and sorting them would cost tens of thousands of rows;
    so the walk comes first, over a bounded window (its end found in the same query). Only a
    rarer query, which did not fill the page there, goes to the word index."""
    if not words:
        return list(base.order_by("sort_key").values_list("pk", flat=True)[:limit])
    names = Person.objects.values("sort_key")
    window_end = Coalesce(  # or the last name, in a directory smaller than the window
        Subquery(names.order_by("sort_key")[SCAN_WINDOW : SCAN_WINDOW + 1]),
        Subquery(names.order_by("-sort_key")[:1]),
    )
    walked = _words_scanned(base, words).filter(sort_key__lte=window_end)
    found = list(walked.order_by("sort_key").values_list("pk", flat=True)[:limit])
    if len(found) == limit:
        return found
    if connection.vendor == "postgresql":
        # The trigram index, then the database sorts the matches: ordered by lower(sort_key)
        # (the same order: the key is lower case already), which no index offers, so that the
        # planner does not walk the names again hoping to meet a rare word soon.
        ordered = words_begin(base, words).order_by(Lower("sort_key"))
        return list(ordered.values_list("pk", flat=True)[:limit])
    # FTS5 on SQLite: its matches, sorted here unless there are many.
    rows = list(_full_text(base, words).values_list("sort_key", "pk")[:RARE_MAX])
    if len(rows) == RARE_MAX:  # not that rare after all: let the database sort them
        ordered = words_begin(base, words).order_by("sort_key")
        return list(ordered.values_list("pk", flat=True)[:limit])
    return [pk for _, pk in sorted(rows)[:limit]]


def merge_pending_keys() -> None:
    """After many keys changed at once (the HR import): PostgreSQL's GIN index keeps new entries
    in a pending list, up to 4 MB, that every search reads through until autovacuum merges them
    (after the bench's import, 219 pages: a search read 526 pages instead of 306). Merged now."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT gin_clean_pending_list('directory_person_search_trgm')")


def listed_people() -> QuerySet:
    """Entries anyone signed in may see: people who left (deactivated) are not listed."""
    return Person.objects.filter(user__is_active=True).exclude(
        user__status=User.Status.DISABLED
    )


def is_listed(user: User) -> bool:
    """``listed_people`` for one account."""
    return user.is_active and user.status != User.Status.DISABLED


@dataclass(frozen=True)
class Filters:
    etablissement: int | None = None
    discipline: int | None = None
    function: int | None = None

    def apply(self, queryset: QuerySet) -> QuerySet:
        if self.etablissement:
            queryset = queryset.filter(etablissements=self.etablissement)
        if self.discipline:
            queryset = queryset.filter(disciplines=self.discipline)
        if self.function:
            queryset = queryset.filter(functions=self.function)
        return queryset

    def __bool__(self) -> bool:
        return bool(self.etablissement or self.discipline or self.function)


def own_etablissement_ids(viewer: User) -> list[int]:
    ids = list(
        Person.etablissements.through.objects.filter(person_id=viewer.pk)
        .values_list("etablissement_id", flat=True)
    )
    if viewer.etablissement_id and viewer.etablissement_id not in ids:
        ids.append(viewer.etablissement_id)
    return ids


def search_people(
    query: str, *, viewer: User | None, filters: Filters = Filters(), limit: int = 20
) -> list[Person]:
    """Entries matching every word of ``query`` (and the filters): people of the viewer's own
    établissements first (when there is a viewer), then everyone else, each in name order."""
    words = query_words(query)
    if not words and not filters:
        return []
    # With words, the keys leave out whoever is not listed (person_keys).
    base = filters.apply(Person.objects.all() if words else listed_people())
    for word in words:
        if _UAI.fullmatch(word):  # that établissement's staff: a few dozen rows to check
            base = base.filter(etablissements__uai=word.upper())
    own: list[int] = []
    if viewer is not None:
        # A few hundred people at most: checked one by one, whatever the engine.
        through = Person.etablissements.through.objects
        mine = through.filter(person_id=viewer.pk).values("etablissement_id")
        colleagues = through.filter(etablissement_id__in=mine).values("person_id")
        own_matching = words_begin(base.filter(pk__in=colleagues), words)
        own = list(own_matching.order_by("sort_key").values_list("pk", flat=True)[:limit])
    others = [pk for pk in _first_ids(base, words, limit + len(own)) if pk not in own]
    ids = (own + others)[:limit]
    found = {  # listed_people again: a key left behind by a bulk update must not show anyone
        p.pk: p
        for p in listed_people().filter(pk__in=ids).select_related("user").prefetch_related(
            "etablissements", "functions", "disciplines"
        )
    }
    return [found[pk] for pk in ids if pk in found]


def search_etablissements(query: str, *, limit: int = 10) -> list[Etablissement]:
    """By name, commune or UAI, in any case."""
    words = query_words(query)
    if not words:
        return []
    return list(words_begin(Etablissement.objects.all(), words)[:limit])
