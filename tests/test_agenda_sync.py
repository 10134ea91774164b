"""The worker's sync of a calendar into the index (calendar_app.index): no transaction held
across its requests to Radicale, one sync of a collection at a time by a claim on its state."""

import threading
import uuid
from datetime import datetime, timedelta

import pytest
from django.db import connections
from django.utils import timezone

from calendar_app import index_rows
from calendar_app.index import reindex_collection
from calendar_app.models import CollectionState, IndexedEvent
from dav import changes
from dav.client import DavSession, dav_session
from tests.agenda_helpers import empty_store, vevent  # noqa: F401 - fixture
from tests.conftest import wait_for

pytestmark = pytest.mark.usefixtures("empty_store")


def _put(username: str, summary: str, day: int) -> None:
    with dav_session(username) as store:
        store.put("personnel", f"{uuid.uuid4()}.ics", vevent(
            f"{uuid.uuid4()}@phone", summary, datetime(2026, 11, day, 17),
            datetime(2026, 11, day, 18)), etag=None)  # fmt: skip


def _summaries(user) -> list[str]:
    return sorted(IndexedEvent.objects.filter(owner=user).values_list("summary", flat=True))


def test_a_change_made_while_the_worker_syncs_is_counted_at_once(prof, monkeypatch):
    """On SQLite a transaction locks the whole file, and Radicale's hook counts each change in
    it before answering: a sync that held one across its requests made the hook wait, then
    give up, and the change went uncounted (the index taken for current without it)."""
    with dav_session(prof.username) as store:
        store.make_calendar("personnel", "Personnel", "#000091")
    _put(prof.username, "Conseil pédagogique", 17)
    counted = changes.versions(prof.username, ["personnel"])["personnel"]
    sync = DavSession.sync

    def sync_while_a_phone_writes(self, name, token):
        result = sync(self, name, token)
        phone = threading.Thread(target=_put, args=(prof.username, "Sortie au musée", 18))
        phone.start()
        phone.join()
        return result

    monkeypatch.setattr(DavSession, "sync", sync_while_a_phone_writes)
    reindex_collection(prof.username, "personnel")
    assert changes.versions(prof.username, ["personnel"])["personnel"] == counted + 1
    monkeypatch.setattr(DavSession, "sync", sync)
    reindex_collection(prof.username, "personnel")
    assert _summaries(prof) == ["Conseil pédagogique", "Sortie au musée"]
    assert index_rows.current_version(prof, "personnel") == counted + 1


def test_a_sync_waits_while_another_holds_the_collection(prof):
    """One sync of a collection at a time: the next waits for the claim (a dead worker's
    lapses), then syncs from where the last one left."""
    with dav_session(prof.username) as store:
        store.make_calendar("personnel", "Personnel", "#000091")
    _put(prof.username, "Conseil pédagogique", 17)
    reindex_collection(prof.username, "personnel")
    held_until = timezone.now() + timedelta(seconds=2)  # a worker syncing it
    CollectionState.objects.filter(owner=prof).update(claimed_until=held_until)
    _put(prof.username, "Sortie au musée", 18)
    reindex_collection(prof.username, "personnel")
    assert timezone.now() >= held_until
    assert _summaries(prof) == ["Conseil pédagogique", "Sortie au musée"]
    wait_for(lambda: not _claimed(prof))  # released (a worker of this run may sync it too)


def test_a_sync_whose_claim_lapsed_meanwhile_starts_again(prof, monkeypatch):
    """A worker so slow that its claim lapsed and another synced meanwhile records nothing of
    its older listing (a whole one would drop the event the other indexed): it syncs again."""
    with dav_session(prof.username) as store:
        store.make_calendar("personnel", "Personnel", "#000091")
    _put(prof.username, "Conseil pédagogique", 17)
    sync, calls = DavSession.sync, []

    def slow_sync(self, name, token):
        result = sync(self, name, token)
        calls.append(token)
        if len(calls) == 1:  # meanwhile, the claim lapses and another worker syncs
            _put(prof.username, "Sortie au musée", 18)
            CollectionState.objects.filter(owner=prof).update(claimed_until=timezone.now())
            other = threading.Thread(target=_other_worker, args=(prof.username,))
            other.start()
            other.join()
        return result

    monkeypatch.setattr(DavSession, "sync", slow_sync)
    reindex_collection(prof.username, "personnel")
    assert len(calls) >= 3  # its own, the other worker's, its own again
    assert _summaries(prof) == ["Conseil pédagogique", "Sortie au musée"]
    wait_for(lambda: index_rows.current_version(prof, "personnel") is not None)
    wait_for(lambda: not _claimed(prof))


def _claimed(user) -> bool:
    return CollectionState.objects.filter(owner=user, claimed_until__isnull=False).exists()


def _other_worker(username: str) -> None:
    try:
        reindex_collection(username, "personnel")
    finally:
        connections.close_all()
