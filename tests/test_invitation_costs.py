"""What a received invitation costs (#14): an event new to a person whose index is current is
asked of no calendar (the index says it is nowhere), only written; once indexed, its update is
read where the index says, and a calendar the index is behind on is still asked. The copy is
indexed with its write, so the sync the hook queues reads nothing and writes the collection's
state as few times as it can (on SQLite each write waits for the whole file); a message to
several is read once."""

from datetime import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from calendar_app import ical, inbox, index_rows, itip, mirror, scheduling, services, window
from calendar_app.index import reindex_collection
from calendar_app.models import CollectionState, IndexedEvent
from dav import changes
from dav.client import DavSession, Resource
from tests.agenda_helpers import empty_store, vevent  # noqa: F401 - fixture
from tests.conftest import make_person, wait_for

pytestmark = pytest.mark.usefixtures("empty_store")
UID = "conseil-pedagogique@college"


def _request(organizer: str, attendee: str, sequence: int, hour: int = 17) -> bytes:
    people = (f"ORGANIZER:mailto:{organizer}\r\nSEQUENCE:{sequence}\r\n"
              f"ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:{attendee}\r\n")  # fmt: skip
    text = vevent(UID, "Conseil pédagogique", datetime(2026, 11, 24, hour),
                  datetime(2026, 11, 24, hour + 1), people)  # fmt: skip
    return ical.serialize(itip.outgoing(ical.parse(text), "REQUEST", sequence=sequence)).encode()


@pytest.fixture
def asked(monkeypatch):
    """The hrefs read from the store (GET), in order."""
    hrefs, real = [], DavSession.get

    def get(self, name, href):
        hrefs.append(href)
        return real(self, name, href)

    monkeypatch.setattr(DavSession, "get", get)
    return hrefs


def test_a_new_invitation_costs_no_read_while_the_index_is_current(prof, colleague, asked):
    services.calendars_of(prof)  # «Personnel» made
    reindex_collection(prof.username, "personnel")
    assert inbox.receive(prof, colleague.email, _request(colleague.email, prof.email, 0)) == (
        "added")  # fmt: skip
    assert asked == []

    reindex_collection(prof.username, "personnel")
    update = _request(colleague.email, prof.email, 1, hour=18)
    assert inbox.receive(prof, colleague.email, update) == "updated"
    assert asked == [ical.href_for(UID)]  # where the index says
    copy = inbox.locate(prof, UID)
    assert ical.master(copy.parsed)["DTSTART"].dt.hour == 18


def test_a_calendar_the_index_is_behind_on_is_still_asked(prof, colleague, asked):
    services.calendars_of(prof)
    reindex_collection(prof.username, "personnel")
    assert inbox.receive(prof, colleague.email, _request(colleague.email, prof.email, 0)) == (
        "added")  # fmt: skip
    cancel = itip.outgoing(inbox.locate(prof, UID).parsed, "CANCEL", sequence=1)
    # A change on a phone, not synced yet: the index is behind, and knows nothing of the copy.
    IndexedEvent.objects.filter(owner=prof).delete()
    changes.bump(prof.username, "personnel")
    asked.clear()
    assert inbox.receive(prof, colleague.email, ical.serialize(cancel).encode()) == "cancelled"
    assert asked == [ical.href_for(UID)]


def test_a_received_invitation_is_indexed_at_once_and_its_sync_has_nothing_to_do(
        prof, colleague, monkeypatch):  # fmt: skip
    """The copy goes into the index with its write, as the web's own writes do, and nothing
    else follows from it (no iMIP to send for someone else's event, no filtered copy to
    follow): the sync the hook queued reads two rows and stops."""
    services.calendars_of(prof)
    reindex_collection(prof.username, "personnel")
    assert inbox.receive(prof, colleague.email, _request(colleague.email, prof.email, 0)) == (
        "added")  # fmt: skip
    wait_for(lambda: _settled(prof))  # at once, unless a worker of this process took it over
    # Such a worker's sync (of the calendar's creation) may hold the index's row at the
    # write: the copy is then indexed by the sync the writer queues (CI saw it behind).
    wait_for(lambda: window.current_collections(prof, ["personnel"]) == {"personnel"})
    assert IndexedEvent.objects.get(owner=prof, uid=UID).organizer == colleague.email
    with CaptureQueriesContext(connection) as queries:
        assert reindex_collection(prof.username, "personnel") == 0
    assert [q["sql"].split()[0] for q in queries] == ["SELECT"] * 3  # the person, state, count


def test_both_filtered_copies_are_asked_about_in_two_queries(prof):
    """Whether anyone reads the calendar at «lecture» or at «disponibilités», asked for every
    change (each attendee's copy of an invitation too): two queries for both, not two each."""
    with CaptureQueriesContext(connection) as queries:
        mirror.after_sync(prof, "personnel", [], [])
    assert len(queries) == 2


def _settled(prof) -> bool:
    state = CollectionState.objects.filter(owner=prof, collection="personnel").first()
    count = changes.versions(prof.username, ["personnel"])["personnel"]
    return state is not None and state.settled_version == count


def _listed_again(prof) -> list[Resource]:
    """The copy as the next sync lists it (its token stayed behind), whatever a worker of this
    process has synced meanwhile (the row is then its sync's)."""
    row = wait_for(lambda: IndexedEvent.objects.filter(owner=prof, uid=UID).first())
    return [Resource(row.href, row.etag, row.source)]


def test_the_next_sync_lists_the_copy_again_and_reads_nothing(prof, colleague, monkeypatch):
    """The index holds that version: it is neither parsed nor written, and the scheduling of
    someone else's event takes no transaction."""
    services.calendars_of(prof)
    reindex_collection(prof.username, "personnel")
    assert inbox.receive(prof, colleague.email, _request(colleague.email, prof.email, 0)) == (
        "added")  # fmt: skip
    listed = _listed_again(prof)
    parses, real = [], ical.parse
    monkeypatch.setattr(ical, "parse", lambda text: parses.append(text) or real(text))
    with CaptureQueriesContext(connection) as queries:
        applied = index_rows.apply(prof, "personnel", listed, [])
        scheduling.after_sync(prof, "personnel", listed, [], applied)
    assert parses == [] and applied.read == {}
    assert applied.held == {listed[0].href: (UID, colleague.email)}
    statements = [q["sql"].split()[0] for q in queries]
    assert [s for s in statements if s not in ("BEGIN", "COMMIT")] == ["SELECT", "SELECT"]


def test_a_row_indexed_before_its_organiser_was_kept_is_read_again(prof, colleague, monkeypatch):
    services.calendars_of(prof)
    reindex_collection(prof.username, "personnel")
    assert inbox.receive(prof, colleague.email, _request(colleague.email, prof.email, 0)) == (
        "added")  # fmt: skip
    IndexedEvent.objects.filter(owner=prof, uid=UID).update(organizer=None)
    listed = _listed_again(prof)
    parses, real = [], ical.parse
    monkeypatch.setattr(ical, "parse", lambda text: parses.append(text) or real(text))
    scheduling.after_sync(prof, "personnel", listed, [], index_rows.apply(
        prof, "personnel", listed, []))  # fmt: skip
    assert len(parses) == 1  # whether it may send is read from the event itself


def test_an_invitation_to_several_is_read_once_and_each_copy_answers_for_its_owner(
        prof, colleague, monkeypatch):  # fmt: skip
    """Delivery hands the worker a batch of attendees: the object is read once, and each copy
    has its owner's answer awaited (their RSVP done with), the others' lines as sent."""
    organizer = make_person("organisatrice.demo")
    people = (f"ORGANIZER:mailto:{organizer.email}\r\nSEQUENCE:0\r\n"
              f"ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:{prof.email}\r\n"
              f"ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:{colleague.email}\r\n")  # fmt: skip
    text = vevent(UID, "Conseil pédagogique", datetime(2026, 11, 24, 17),
                  datetime(2026, 11, 24, 18), people)  # fmt: skip
    data = ical.serialize(itip.outgoing(ical.parse(text), "REQUEST", sequence=0)).encode()
    for person in (prof, colleague):  # their agendas made, and indexed
        services.calendars_of(person)
        reindex_collection(person.username, "personnel")
    parses, real = [], ical.parse
    monkeypatch.setattr(ical, "parse", lambda text: parses.append(text) or real(text))
    assert inbox.receive_for([prof, colleague], organizer.email, data) == ["added", "added"]
    assert len(parses) == 1
    monkeypatch.setattr(ical, "parse", real)
    for me, other in ((prof, colleague), (colleague, prof)):
        lines = {itip.address(p): p.params for p in itip.attendee_lines(
            ical.master(inbox.locate(me, UID).parsed))}  # fmt: skip
        assert lines[me.email]["PARTSTAT"] == "NEEDS-ACTION" and "RSVP" not in lines[me.email]
        assert lines[other.email]["RSVP"] == "TRUE"


def test_a_new_invitations_row_is_written_twice(prof, colleague):
    """Created claimed, then recorded once applied: no update first for a row not there yet
    (on SQLite a write waits for the whole file even when it changes nothing)."""
    services.calendars_of(prof)
    with CaptureQueriesContext(connection) as queries:
        assert inbox.receive(prof, colleague.email, _request(colleague.email, prof.email, 0)) == (
            "added")  # fmt: skip
    writes = [q["sql"].split()[0] for q in queries if "calendar_app_receiveditip" in q["sql"]
              and not q["sql"].startswith("SELECT")]  # fmt: skip
    assert writes == ["INSERT", "UPDATE"]
