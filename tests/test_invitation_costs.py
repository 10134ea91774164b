"""What a received invitation costs (#14): an event new to a person whose index is current is
asked of no calendar (the index says it is nowhere), only written; once indexed, its update is
read where the index says, and a calendar the index is behind on is still asked. The sync
that indexes the copy reads it once and writes the collection's state as few times as it can
(on SQLite each write waits for the whole file)."""

from datetime import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from calendar_app import ical, inbox, itip, services
from calendar_app.index import reindex_collection
from dav.client import DavSession
from tests.agenda_helpers import empty_store, vevent  # noqa: F401 - fixture

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
    # No sync since: the index knows nothing of the copy, whose write it is behind on.
    cancel = itip.outgoing(inbox.locate(prof, UID).parsed, "CANCEL", sequence=1)
    asked.clear()
    assert inbox.receive(prof, colleague.email, ical.serialize(cancel).encode()) == "cancelled"
    assert asked == [ical.href_for(UID)]


def test_the_sync_of_a_received_invitation_reads_it_once_and_writes_its_state_twice(
        prof, colleague, monkeypatch):  # fmt: skip
    """Besides the claim: the index and its count in one transaction, the token and the
    claim's end in one write; no transaction for the scheduling of someone else's event."""
    services.calendars_of(prof)
    reindex_collection(prof.username, "personnel")
    assert inbox.receive(prof, colleague.email, _request(colleague.email, prof.email, 0)) == (
        "added")  # fmt: skip
    parses, real = [], ical.parse
    monkeypatch.setattr(ical, "parse", lambda text: parses.append(text) or real(text))
    with CaptureQueriesContext(connection) as queries:
        assert reindex_collection(prof.username, "personnel") == 1
    assert len(parses) == 1
    state = [q for q in queries if q["sql"].startswith('UPDATE "calendar_app_collectionstate"')]
    assert len(state) == 3  # claimed, indexed, token written and claim ended
    assert not [q for q in queries if "calendar_app_scheduledevent" in q["sql"]
                and "FOR UPDATE" in q["sql"]]  # fmt: skip


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
