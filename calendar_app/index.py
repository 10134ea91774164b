"""Keeping the derived index in step with the store, from its sync token (RFC 6578), and
recording the collection's change count it then holds (calendar_app/index_rows.py)."""

from django.contrib.auth import get_user_model
from django.db import transaction

from calendar_app import index_rows, mirror, scheduling
from calendar_app.models import CollectionState, IndexedEvent
from dav import changes, read_only
from dav.client import DavNotFound, dav_session


def reindex_collection(username: str, collection: str) -> int:
    """Applies the changes since the last sync; returns how many resources changed."""
    owner = get_user_model().objects.filter(username=username).first()
    if owner is None or read_only.is_mirror(collection):
        return 0  # a shared calendar's filtered copy is not its owner's: never indexed
    CollectionState.objects.get_or_create(owner=owner, collection=collection)
    # One sync per collection at a time: a burst of changes queues several tasks.
    with transaction.atomic():
        state = CollectionState.objects.select_for_update().get(owner=owner, collection=collection)
        # Read before the sync: a change counted later may be missing from it, and leaves
        # the index behind the count.
        version = changes.versions(username, [collection])[collection]
        try:
            with dav_session(username) as store:
                result = store.sync(collection, state.sync_token or None)
        except DavNotFound:  # the collection was deleted
            IndexedEvent.objects.filter(owner=owner, collection=collection).delete()
            state.delete()
            return 0
        deleted = result.deleted
        if result.full:  # the first sync, or a token the store forgot: what it omits is gone
            listed = {r.href for r in result.changed}
            deleted = [href for href in IndexedEvent.objects.filter(
                owner=owner, collection=collection).values_list("href", flat=True)
                if href not in listed]  # fmt: skip
        index_rows.apply(owner, collection, result.changed, deleted)
        state.sync_token = result.token
        state.indexed_version = version
        state.save(update_fields=["sync_token", "indexed_version"])
        # Invitations, updates and cancellations of the events this person organises.
        scheduling.after_sync(owner, collection, result.changed, deleted)
        # The filtered copies «lecture» and «disponibilités» grantees sync.
        mirror.after_sync(owner, collection, result.changed, deleted)
    return len(result.changed) + len(deleted)
