"""The worker's writes straight into Radicale's storage (dav/storage_writes.py): Radicale then
serves them as its own, with the same ETag; the preconditions, the UID conflict and the change
count are those of a PUT through Radicale and its hook; a received invitation lands the same
way whether the worker shares Radicale's folder or writes over HTTP."""

import threading
import uuid
from datetime import datetime
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from django.db import connection, connections, transaction

from calendar_app import inbox, index_rows, services
from calendar_app.models import CollectionState, IndexedEvent
from dav import changes, radicale_storage, storage_writes
from dav.client import DavConflict, DavNotFound, DavRefused, DavUnavailable, dav_session
from tests.agenda_helpers import empty_store, vevent  # noqa: F401 - fixture
from tests.conftest import wait_for

pytestmark = pytest.mark.usefixtures("empty_store")
GMAIL = Path(__file__).parent / "fixtures" / "imip" / "gmail-request.eml"
GMAIL_UID = "5q1n0v8c2d3e4f5g6h7i8j9k0l@google.com"


def _calendar(user) -> str:
    """«Personnel», made as at first use (a task of an earlier test may make it too)."""
    (calendar,) = services.calendars_of(user)
    return calendar.name


def _event(uid: str, title: str) -> str:
    return vevent(uid, title, datetime(2027, 3, 9, 14), datetime(2027, 3, 9, 15))


def _count(user, calendar: str) -> int:
    return changes.versions(user.username, [calendar])[calendar]


def test_a_written_copy_is_radicales_own_with_its_etag_its_count_and_its_uid(prof):
    calendar = _calendar(prof)
    assert storage_writes.enabled()
    before = _count(prof, calendar)
    uid = f"{uuid.uuid4()}@outside.example"
    etag = storage_writes.put(prof.username, calendar, f"{uid}.ics",
                              _event(uid, "Conseil pédagogique"), etag=None)  # fmt: skip

    with dav_session(prof.username) as store:
        served = store.get(calendar, f"{uid}.ics")
        assert served.etag == etag and "Conseil pédagogique" in served.text
        assert [r.href for r in store.sync(calendar, None).changed] == [f"{uid}.ics"]
        # Radicale's UID check knows it: the same event under another name is refused.
        with pytest.raises(DavRefused, match="409"):
            store.put(calendar, "autre-nom.ics", _event(uid, "Doublon"), etag=None)
    assert _count(prof, calendar) == before + 1


def test_the_writes_keep_the_preconditions_of_a_put(prof):
    calendar = _calendar(prof)
    uid = f"{uuid.uuid4()}@outside.example"
    href = f"{uid}.ics"
    first = storage_writes.put(prof.username, calendar, href, _event(uid, "v1"), etag=None)

    with pytest.raises(DavConflict):  # a creation where the copy already is
        storage_writes.put(prof.username, calendar, href, _event(uid, "v2"), etag=None)
    with pytest.raises(DavConflict):  # a version changed meanwhile
        storage_writes.put(prof.username, calendar, href, _event(uid, "v2"), etag='"ancien"')
    second = storage_writes.put(prof.username, calendar, href, _event(uid, "v2"), etag=first)
    third = storage_writes.put(prof.username, calendar, href, _event(uid, "v3"), etag=None,
                               replace=True)  # fmt: skip
    assert len({first, second, third}) == 3
    with dav_session(prof.username) as store:
        assert "SUMMARY:v3" in store.get(calendar, href).text

    with pytest.raises(DavRefused, match="no-uid-conflict"):  # another name, the same event
        storage_writes.put(prof.username, calendar, "autre.ics", _event(uid, "x"), etag=None)
    with pytest.raises(DavNotFound):
        storage_writes.put(prof.username, "nulle-part", href, _event(uid, "x"), etag=None)
    with pytest.raises(DavRefused):
        storage_writes.put(prof.username, calendar, "x.ics", "BEGIN:VCARD\r\nEND:VCARD\r\n",
                           etag=None)  # fmt: skip


def test_a_disk_that_refuses_the_write_is_retried_later_and_counts_nothing(prof, monkeypatch):
    """Radicale's upload wraps the disk's error (full, permissions) in a ValueError, which it
    answers with a 500: the writer's caller retries, as when the store does not answer."""
    calendar = _calendar(prof)
    before = _count(prof, calendar)

    def full(self, href, item):
        raise ValueError(f"Failed to store item {href!r}: [Errno 28] No space left on device")

    monkeypatch.setattr(radicale_storage.Collection, "upload", full)
    uid = f"{uuid.uuid4()}@outside.example"
    with pytest.raises(DavUnavailable):
        storage_writes.put(prof.username, calendar, f"{uid}.ics", _event(uid, "v1"), etag=None)
    assert _count(prof, calendar) == before


def test_a_folder_radicale_never_used_is_not_written_to(settings, tmp_path):
    settings.RADICALE_COLLECTIONS = str(tmp_path)
    assert not storage_writes.enabled()
    settings.RADICALE_COLLECTIONS = ""
    assert not storage_writes.enabled()


@pytest.mark.parametrize("shared_folder", [True, False], ids=["into-storage", "over-http"])
def test_a_received_invitation_lands_counted_and_indexed_either_way(prof, settings, worker,
                                                                     shared_folder):  # fmt: skip
    if not shared_folder:
        settings.RADICALE_COLLECTIONS = ""
    calendar = _calendar(prof)
    before = _count(prof, calendar)
    data = inbox.calendar_part(message_from_bytes(GMAIL.read_bytes(), policy=policy.default))

    assert inbox.receive(prof, "julie.moreau.asso@gmail.example", data) == "added"

    copy = inbox.locate(prof, GMAIL_UID)
    assert copy is not None and copy.calendar == calendar
    assert _count(prof, calendar) == before + 1  # the writer's count, or the hook's
    # The calendar was never indexed, so the index could not take the copy at once: the sync
    # the hook queues, or the writer in its place, brings it in.
    wait_for(lambda: IndexedEvent.objects.filter(owner=prof, uid=GMAIL_UID,
                                                 collection=calendar).exists())  # fmt: skip


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a row lock SQLite does not have")
def test_a_copy_the_index_could_not_take_at_once_is_synced_by_the_worker(prof, worker):
    """No hook runs for a copy written into the storage: when the index cannot take it at once
    (a sync holds its row just then), the writer queues the sync the hook would have."""
    calendar = _calendar(prof)
    wait_for(lambda: calendar in index_rows.current_versions(prof, [calendar]))
    data = inbox.calendar_part(message_from_bytes(GMAIL.read_bytes(), policy=policy.default))
    held, done = threading.Event(), threading.Event()

    def hold_the_index_row():
        with transaction.atomic():
            CollectionState.objects.select_for_update().get(owner=prof, collection=calendar)
            held.set()
            done.wait(30)
        connections.close_all()

    holder = threading.Thread(target=hold_the_index_row)
    holder.start()
    try:
        held.wait(30)
        assert inbox.receive(prof, "julie.moreau.asso@gmail.example", data) == "added"
        assert not IndexedEvent.objects.filter(owner=prof, uid=GMAIL_UID).exists()
    finally:
        done.set()
        holder.join()
    wait_for(lambda: IndexedEvent.objects.filter(owner=prof, uid=GMAIL_UID).exists())


def test_a_batch_is_flushed_to_disk_by_one_sync_after_its_writes(prof, colleague, monkeypatch):
    """Radicale fsyncs each file and folder of an upload (six for one item); a batch of
    copies leaves that to one sync of the file system, done before the batch is counted."""
    calendars = [_calendar(prof), _calendar(colleague)]
    done = []
    real_sync = radicale_storage._sync_file_system
    monkeypatch.setattr(radicale_storage.pathutils, "fsync", lambda fd: done.append("fsync"))
    monkeypatch.setattr(radicale_storage, "_sync_file_system",
                        lambda folder: done.append("sync") or real_sync(folder))  # fmt: skip
    real_bump = changes.bump_each
    monkeypatch.setattr(changes, "bump_each", lambda pairs: done.append("count") or real_bump(
        pairs))  # fmt: skip
    uid = f"{uuid.uuid4()}@outside.example"
    writes = [storage_writes.Write(person.username, calendar, f"{uid}.ics", _event(uid, "Lot"))
              for person, calendar in zip((prof, colleague), calendars, strict=True)]  # fmt: skip
    etags = storage_writes.replace_all(writes)
    assert done == ["sync", "count"]
    for person, calendar, etag in zip((prof, colleague), calendars, etags, strict=True):
        with dav_session(person.username) as store:
            assert store.get(calendar, f"{uid}.ics").etag == etag
    done.clear()
    storage_writes.put(prof.username, calendars[0], "seul.ics", _event("seul@x", "Seul"),
                       etag=None)  # fmt: skip
    assert "fsync" in done and "sync" not in done  # one write alone: Radicale's own fsyncs


def test_the_calendars_read_from_the_storage_are_those_radicale_lists(prof):
    _calendar(prof)
    with dav_session(prof.username) as store:
        store.make_calendar("conseils", "Conseils de classe", "#E1000F")
        listed = store.calendars()
    assert {c.name for c in listed} == {"personnel", "conseils"}
    assert sorted(storage_writes.calendars(prof.username), key=lambda c: c.name) == sorted(
        listed, key=lambda c: c.name)  # fmt: skip
