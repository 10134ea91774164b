"""An invitation new to a batch of attendees is applied for the batch at once (#14): its cost
in queries does not grow with the batch; each copy is its owner's, indexed with its busy time,
and recorded as applied; anyone the batch cannot take goes one by one, as before."""

import re
from datetime import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from calendar_app import ical, inbox, itip, new_invitations, services, window
from calendar_app.index import reindex_collection
from calendar_app.models import BusyPeriod, CollectionState, IndexedEvent, ReceivedItip
from dav import changes, radicale_storage, storage_writes
from dav.client import DavSession, DavUnavailable
from tests.agenda_helpers import empty_store, vevent  # noqa: F401 - fixture
from tests.conftest import make_person

pytestmark = pytest.mark.usefixtures("empty_store")
UID = "conseil-de-classe@lycee-batch"


def _people(count: int, indexed: bool = True) -> list:
    people = [make_person(f"invite{n}.demo") for n in range(count)]
    for person in people:
        services.calendars_of(person)  # «Personnel» made
        if indexed:
            reindex_collection(person.username, "personnel")
    return people


def _invitation(organizer, people, uid: str = UID, sequence: int = 0) -> bytes:
    lines = f"ORGANIZER:mailto:{organizer.email}\r\nSEQUENCE:{sequence}\r\n" + "".join(
        f"ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:{p.email}\r\n" for p in people)
    text = vevent(uid, "Conseil de classe", datetime(2026, 12, 10, 17),
                  datetime(2026, 12, 10, 18), lines)  # fmt: skip
    return ical.serialize(itip.outgoing(ical.parse(text), "REQUEST", sequence=sequence)).encode()


@pytest.fixture
def organizer(transactional_db):
    return make_person("organisatrice.demo")


def _transactions(people, organizer, uid: str) -> list[str]:
    """The batch's transactions, each named by its first write."""
    with CaptureQueriesContext(connection) as queries:
        results = inbox.receive_for(people, organizer.email, _invitation(organizer, people, uid))
    assert results == ["added"] * len(people)
    statements = [q["sql"] for q in queries]
    written = [re.match(r"(?:INSERT INTO|UPDATE) (\S+)", sql) for sql in statements]
    return [next(m[1] for m in written[n:] if m)
            for n, sql in enumerate(statements) if sql.startswith("BEGIN")]  # fmt: skip


def test_a_batch_takes_the_same_transactions_whatever_its_size(organizer):
    """One by one, each attendee took four write transactions (and about twenty queries):
    a batch takes three, the claims, the counts and the index, for 2 people as for 6."""
    people = _people(6)
    written = ['"calendar_app_receiveditip"', '"dav_collectionversion"',
               '"calendar_app_indexedevent"']  # fmt: skip
    assert _transactions(people[:2], organizer, "petit@lycee") == written
    assert _transactions(people, organizer, "grand@lycee") == written


def test_each_copy_is_its_owners_indexed_with_its_busy_time_and_recorded(organizer):
    people = _people(3)
    data = _invitation(organizer, people)
    assert inbox.receive_for(people, organizer.email, data) == ["added"] * 3
    for person in people:
        copy = inbox.locate(person, UID)
        assert copy.calendar == "personnel"
        lines = {itip.address(p): p.params for p in itip.attendee_lines(ical.master(copy.parsed))}
        assert "RSVP" not in lines[person.email]  # their own answer awaited
        assert all(params["RSVP"] == "TRUE" for email, params in lines.items()
                   if email != person.email)  # fmt: skip
        row = IndexedEvent.objects.get(owner=person, uid=UID)
        assert row.etag == copy.etag and row.organizer == organizer.email
        assert BusyPeriod.objects.filter(event=row).count() == 1
        # Indexed and settled up to the write: the hook's sync has nothing left to do.
        state = CollectionState.objects.get(owner=person, collection="personnel")
        count = changes.versions(person.username, ["personnel"])["personnel"]
        assert state.indexed_version == state.settled_version == count
        assert window.current_collections(person, ["personnel"]) == {"personnel"}
    assert list(ReceivedItip.objects.filter(uid=UID).values_list("sequence", "claimed_until")
                .distinct()) == [(0, None)]  # fmt: skip
    assert inbox.receive_for(people, organizer.email, data) == ["already-applied"] * 3


def test_those_the_batch_cannot_take_go_one_by_one(organizer):
    """Behind in the index, or with the event already: each as before; the others at once."""
    fresh, behind, knows = _people(3)
    changes.bump(behind.username, "personnel")  # a phone's change, not synced yet
    assert inbox.receive(knows, organizer.email, _invitation(organizer, [knows])) == "added"
    data = _invitation(organizer, [fresh, behind, knows], sequence=1)
    assert inbox.receive_for([fresh, behind, knows], organizer.email, data) == [
        "added", "added", "updated"]  # fmt: skip
    assert inbox.locate(behind, UID) is not None


def test_a_copy_the_storage_refuses_goes_one_by_one(organizer, monkeypatch):
    """A calendar gone from the store (deleted on a phone) refuses the copy in the batch; the
    one-by-one path then meets the reason itself, the others are written."""
    people = _people(2)
    real = storage_writes._upload

    def upload(storage, write, etag, replace):
        if write.owner == people[0].username:
            raise storage_writes.DavNotFound(write.collection)
        return real(storage, write, etag, replace)

    monkeypatch.setattr(storage_writes, "_upload", upload)
    one_by_one = []
    monkeypatch.setattr(inbox, "_receive", lambda user, *args: one_by_one.append(user) or "seen")
    assert inbox.receive_for(people, organizer.email, _invitation(organizer, people)) == [
        "seen", "added"]  # fmt: skip
    assert one_by_one == [people[0]]
    assert ReceivedItip.objects.get(owner=people[0], uid=UID).claimed_until is None
    assert IndexedEvent.objects.filter(owner=people[1], uid=UID).exists()


def test_lapsed_lists_of_calendars_are_read_from_the_storage(organizer, monkeypatch):
    """A list of calendars is cached for a minute: an invitation arriving later asks the
    storage, not Radicale over HTTP, for each of its attendees."""
    people = _people(2)
    monkeypatch.setattr(services.cache, "get_many", lambda keys: {})  # lapsed

    def no_propfind(self):
        raise AssertionError("PROPFIND")

    monkeypatch.setattr(DavSession, "calendars", no_propfind)
    assert inbox.receive_for(people, organizer.email, _invitation(organizer, people)) == [
        "added", "added"]  # fmt: skip


def test_copies_written_before_the_disk_refused_are_left_to_their_syncs(organizer, monkeypatch):
    """The flush to disk fails after the writes (they are counted, not reported): the task is
    retried, and each calendar's sync is queued, as Radicale's hook would, to index them."""
    people = _people(2)

    def refused(folder):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(radicale_storage, "_sync_file_system", refused)
    queued = []
    monkeypatch.setattr(new_invitations, "enqueue_on_commit", lambda *args: queued.append(args))
    with pytest.raises(DavUnavailable):
        inbox.receive_for(people, organizer.email, _invitation(organizer, people))
    assert queued == [(window.TASK, p.username, "personnel") for p in people]
    assert not ReceivedItip.objects.filter(uid=UID, claimed_until__isnull=False).exists()
