"""Keeping the derived index in step with the store, from its sync token (RFC 6578), and
recording the collection's change count it then holds (calendar_app/index_rows.py).

One sync of a collection at a time, by a claim on its ``CollectionState`` (convergence.claims),
not a transaction: on SQLite a transaction locks the whole file, and Radicale's hook counts
each change in it before answering, so every booking, delivery and phone waited on this
sync's requests to Radicale, then failed with «database is locked». The requests are made
outside any transaction; what they found is recorded only while the claim is still this
sync's and the token the one it started from, else it starts again."""

import time
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from calendar_app import index_rows, mirror, scheduling
from calendar_app.models import CollectionState, IndexedEvent
from convergence.claims import unclaimed
from dav import changes, read_only
from dav.client import DavNotFound, dav_session

CLAIM = timedelta(minutes=2)  # far longer than one sync takes
CLAIM_POLL = 0.05  # seconds between looks at a claimed collection


class _Moved(Exception):
    """This sync's claim lapsed and another recorded a newer token meanwhile."""


def reindex_collection(username: str, collection: str) -> int:
    """Applies the changes since the last sync; returns how many resources changed."""
    owner = get_user_model().objects.filter(username=username).first()
    if owner is None or read_only.is_mirror(collection):
        return 0  # a shared calendar's filtered copy is not its owner's: never indexed
    if _settled(owner, collection):
        return 0  # the writer did it all (an invitation received: calendar_app.inbox)
    while True:
        try:
            return _sync(owner, collection)
        except _Moved:
            continue


def _settled(owner, collection: str) -> bool:
    """Nothing left to do: the index and what follows it hold every change counted. The
    token stays behind: the next sync lists these changes again, and finds them held."""
    settled = CollectionState.objects.filter(owner=owner, collection=collection).values_list(
        "settled_version", flat=True).first()  # fmt: skip
    return settled is not None and settled == changes.versions(
        owner.username, [collection])[collection]  # fmt: skip


def _sync(owner, collection: str) -> int:
    state, claim = _claim(owner, collection)
    mine = CollectionState.objects.filter(pk=state.pk, claimed_until=claim,
                                          sync_token=state.sync_token)  # fmt: skip
    done = False
    try:
        # Read before the sync: a change counted later may be missing from it, and leaves
        # the index behind the count.
        version = changes.versions(owner.username, [collection])[collection]
        try:
            with dav_session(owner.username) as store:
                result = store.sync(collection, state.sync_token or None)
        except DavNotFound:  # the collection was deleted
            with transaction.atomic():
                if mine.delete()[0]:
                    IndexedEvent.objects.filter(owner=owner, collection=collection).delete()
            return 0
        deleted = result.deleted
        if result.full:  # the first sync, or a token the store forgot: what it omits is gone
            listed = {r.href for r in result.changed}
            deleted = [href for href in IndexedEvent.objects.filter(
                owner=owner, collection=collection).values_list("href", flat=True)
                if href not in listed]  # fmt: skip
        with transaction.atomic():
            if not mine.update(indexed_version=version):
                raise _Moved
            applied = index_rows.apply(owner, collection, result.changed, deleted,
                                       rebuild=result.full)  # fmt: skip
        # After the index (a room's answer finds the organiser's event there), before the
        # token: if they fail, the next sync sees these changes again.
        # Invitations, updates and cancellations of the events this person organises.
        scheduling.after_sync(owner, collection, result.changed, deleted, applied)
        # The filtered copies «lecture» and «disponibilités» grantees sync.
        mirror.after_sync(owner, collection, result.changed, deleted)
        # The token and the claim's end in one write (on SQLite each waits for the file).
        mine.update(sync_token=result.token, settled_version=version, claimed_until=None)
        done = True
    finally:
        if not done:
            CollectionState.objects.filter(pk=state.pk, claimed_until=claim).update(
                claimed_until=None)  # fmt: skip
    return len(result.changed) + len(deleted)


def _claim(owner, collection: str) -> tuple[CollectionState, datetime]:
    """The collection's state, claimed in one write: waits while another sync of it runs, at
    most until that claim lapses."""
    key = {"owner": owner, "collection": collection}
    while True:
        CollectionState.objects.get_or_create(**key)
        now = timezone.now()
        claim = now + CLAIM
        if CollectionState.objects.filter(unclaimed(now), **key).update(claimed_until=claim):
            return CollectionState.objects.get(**key), claim
        time.sleep(CLAIM_POLL)
