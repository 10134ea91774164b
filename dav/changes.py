"""Each collection's change count (``CollectionVersion``), written by Radicale's hook for every
change, from the web or a phone, and read by whoever keeps a derived index of it.

Why a count in the database rather than asking Radicale: its sync-collection REPORT and
collection ETag read every item of the collection (as a time-range REPORT does), while this
is one indexed row. It is written before the change is answered, inside Radicale's write
lock, so once a client has its answer, the count says so."""

from collections import Counter

from django.db import IntegrityError, transaction
from django.db.models import F, Q

from dav.models import CollectionVersion

# The person's list of collections itself, counted as a collection of no name: raised by a
# creation, renaming or recolouring anywhere (the hook is told of the PROPPATCH, which the web
# app sends after each MKCALENDAR), by the first change of a collection not yet counted, and
# by the web app's own deletions (dav.client.DavSession).
HOME = ""


def bump(username: str, collection: str) -> None:
    """One more change (called by the hook plugin, in Radicale)."""
    rows = CollectionVersion.objects.filter(owner_id=username, collection=collection)
    if rows.update(version=F("version") + 1):
        return
    try:
        with transaction.atomic():
            CollectionVersion.objects.create(owner_id=username, collection=collection, version=1)
    except IntegrityError:  # created meanwhile by a request of the same collection
        rows.update(version=F("version") + 1)
        return
    if collection != HOME:  # a collection new to the count: perhaps new to the list
        bump(username, HOME)


def bump_each(pairs: list[tuple[str, str]]) -> None:
    """``bump`` of each (username, collection), as many times as it is named: one statement
    for the counts that exist (a batch of writes into several people's calendars)."""
    times = Counter(pairs)
    if not times:
        return
    counted = set(CollectionVersion.objects.filter(_any(times)).values_list("owner_id",
                                                                             "collection"))
    for step in set(times.values()):
        same = [pair for pair in counted if times[pair] == step]
        if same:
            CollectionVersion.objects.filter(_any(same)).update(version=F("version") + step)
    for pair, step in times.items():
        for _time in range(step if pair not in counted else 0):
            bump(*pair)


def _any(pairs) -> Q:
    found = Q(pk__in=[])
    for username, collection in pairs:
        found |= Q(owner_id=username, collection=collection)
    return found


def bump_on_commit(username: str, collection: str) -> None:
    """One more change, counted by the web app or the worker once their transaction is over.
    Not inside it: a row lock held across their later requests to Radicale would stop its
    hook, which counts under Radicale's own lock, until those requests time out."""
    transaction.on_commit(lambda: bump(username, collection), robust=True)


def versions(username: str, collections: list[str]) -> dict[str, int]:
    """The change count of each collection (0: no change seen since the count exists)."""
    found = versions_of([(username, name) for name in collections])
    return {name: found[(username, name)] for name in collections}


def versions_of(pairs: list[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """``versions`` of several people's collections, (username, collection) each, in one query."""
    found = {(owner, name): version for owner, name, version in
             CollectionVersion.objects.filter(_any(pairs))
             .values_list("owner_id", "collection", "version")}  # fmt: skip
    return {pair: found.get(pair, 0) for pair in pairs}


def home_version(username: str) -> int:
    """The count of changes to the person's list of collections (what a cache of that list is
    keyed by)."""
    return versions(username, [HOME])[HOME]
