"""The agenda's pages read a range from the derived index while the collection's change count
says it is current, and ask Radicale otherwise (calendar_app/window.py): a phone's change is
on the page as soon as the phone has its answer, and the index gives what the REPORT gives."""

import dataclasses
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from calendar_app import services, window
from calendar_app.index import reindex_collection
from calendar_app.models import CollectionState, IndexedEvent
from dav.client import dav_session
from tests.agenda_helpers import PARIS, empty_store, phone, vevent  # noqa: F401 - fixture
from tests.conftest import PASSWORD, wait_for
from tests.test_agenda_web import _form

pytestmark = pytest.mark.usefixtures("empty_store")
WEEK = "/agenda/semaine/?date=2026-11-16"


@pytest.fixture
def signed_in(client, prof):
    client.force_login(prof)
    client.get(WEEK)  # «Personnel» exists once the web agenda was opened
    return client


def _calendar(live_server):
    client = phone(live_server, "prof.demo", PASSWORD)
    return client.calendar(url=f"{live_server.url}/dav/prof.demo/personnel/")


def _current(prof) -> bool:
    return window.current_collections(prof, ["personnel"]) == {"personnel"}


def _week(client) -> str:
    return client.get(WEEK).content.decode()


def test_a_phone_change_is_on_the_page_as_soon_as_the_phone_has_its_answer(
    signed_in, prof, live_server
):
    reindex_collection("prof.demo", "personnel")  # as the hook's task does
    assert _current(prof)
    # The web's own writes go into the index at once, so it stays current; unless the hook's
    # task holds the collection just then (NOWAIT): this process's worker may be syncing
    # (the calendar's creation, this write), and the index is current once it is done.
    assert signed_in.post("/agenda/evenement/nouveau/", _form(
        title="Conseil de classe 2nde B", start_date="2026-11-17", end_date="2026-11-17",
    )).status_code == 302  # fmt: skip
    assert "Conseil de classe 2nde B" in _week(signed_in)
    wait_for(lambda: _current(prof))
    assert IndexedEvent.objects.filter(summary="Conseil de classe 2nde B")

    calendar = _calendar(live_server)
    uid = f"{uuid.uuid4()}@phone"
    event = calendar.add_event(vevent(uid, "Réunion parents-professeurs",
                                      datetime(2026, 11, 19, 18), datetime(2026, 11, 19, 20)))
    # Whether or not this process's Celery worker has indexed it yet, the page has it.
    page = _week(signed_in)
    assert "Réunion parents-professeurs" in page and "Conseil de classe 2nde B" in page

    reindex_collection("prof.demo", "personnel")
    wait_for(lambda: _current(prof))
    assert "Réunion parents-professeurs" in _week(signed_in)
    event.icalendar_component["SUMMARY"] = "Réunion parents-professeurs (reportée)"
    event.save()
    # The hook counted the change before the phone had its answer: the index is behind
    # until a worker syncs it (none may run in this process), and the page reads the store.
    assert "(reportée)" in _week(signed_in)
    reindex_collection("prof.demo", "personnel")
    event.delete()
    assert "Réunion parents-professeurs" not in _week(signed_in)


def test_a_missing_or_late_index_is_not_read(signed_in, prof, live_server):
    _calendar(live_server).add_event(vevent(f"{uuid.uuid4()}@phone", "Formation numérique",
                                            datetime(2026, 11, 18, 14), datetime(2026, 11, 18, 17)))
    assert "Formation numérique" in _week(signed_in)
    reindex_collection("prof.demo", "personnel")
    wait_for(lambda: _current(prof))  # a worker of this process may be syncing too
    # The index emptied behind the count's back is not what the page shows once it is late…
    IndexedEvent.objects.filter(owner=prof).delete()
    assert "Formation numérique" not in _week(signed_in)  # (read from the index: it can fail)
    CollectionState.objects.filter(owner=prof).update(indexed_version=-1)
    assert "Formation numérique" in _week(signed_in)
    # …nor when the state is gone.
    CollectionState.objects.filter(owner=prof).delete()
    assert "Formation numérique" in _week(signed_in)


def test_web_edits_of_a_series_keep_the_index_current(signed_in, prof, live_server):
    reindex_collection("prof.demo", "personnel")
    assert signed_in.post("/agenda/evenement/nouveau/", _form(
        title="Maths 2nde B", start_date="2026-11-02", end_date="2026-11-02", start_time="08:00",
        end_time="09:00", frequency="WEEKLY", weekdays=["MO"], category="cours",
    )).status_code == 302  # fmt: skip
    # In the index at once from the web's own write, or once this process's worker, which
    # may have synced in between, has.
    wait_for(lambda: IndexedEvent.objects.filter(owner=prof).exists(), timeout=30)
    [row] = IndexedEvent.objects.filter(owner=prof)
    key = "20261116T070000Z"
    url = f"/agenda/evenement/personnel/{row.href}/modifier/?occurrence={key}"
    etag = signed_in.get(url).context["form"].initial["etag"]
    assert etag == row.etag  # the index keeps the store's ETag
    assert signed_in.post(url, _form(
        title="Maths 2nde B (salle 12)", start_date="2026-11-16", end_date="2026-11-16",
        start_time="10:00", end_time="11:00", scope="this", etag=etag)).status_code == 302
    # Current at once from the web's own write (or, where this process's worker synced in
    # between, once it has).
    wait_for(lambda: _current(prof), timeout=30)
    page = _week(signed_in)
    assert "Maths 2nde B (salle 12)" in page and "10:00 – 11:00" in page
    url = f"/agenda/evenement/personnel/{row.href}/supprimer/?occurrence={key}"
    etag = signed_in.get(url).context["occurrence"].etag
    assert signed_in.post(url, {"scope": "this", "etag": etag}).status_code == 302
    wait_for(lambda: _current(prof), timeout=30)
    assert "Maths" not in _week(signed_in)
    assert "Maths 2nde B" in signed_in.get("/agenda/semaine/?date=2026-11-23").content.decode()


SERIES = (  # every Monday 08:00 from 2 November to 28 December, with exceptions
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Phone//Test//FR\r\n"
    "BEGIN:VEVENT\r\nUID:serie@phone\r\nDTSTAMP:20260901T080000Z\r\nSUMMARY:Maths\r\n"
    "DTSTART;TZID=Europe/Paris:20261102T080000\r\nDTEND;TZID=Europe/Paris:20261102T090000\r\n"
    "RRULE:FREQ=WEEKLY;UNTIL=20261228T070000Z\r\n"
    "EXDATE;TZID=Europe/Paris:20261123T080000\r\nEND:VEVENT\r\n"
    # moved within the series, then after its end, then before its start
    "BEGIN:VEVENT\r\nUID:serie@phone\r\nDTSTAMP:20260901T080000Z\r\nSUMMARY:Maths (salle 12)\r\n"
    "RECURRENCE-ID;TZID=Europe/Paris:20261116T080000\r\n"
    "DTSTART;TZID=Europe/Paris:20261118T140000\r\nDTEND;TZID=Europe/Paris:20261118T150000\r\n"
    "END:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:serie@phone\r\nDTSTAMP:20260901T080000Z\r\nSUMMARY:Maths (rattrapage)\r\n"
    "RECURRENCE-ID;TZID=Europe/Paris:20261207T080000\r\n"
    "DTSTART;TZID=Europe/Paris:20270112T080000\r\nDTEND;TZID=Europe/Paris:20270112T090000\r\n"
    "END:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:serie@phone\r\nDTSTAMP:20260901T080000Z\r\nSUMMARY:Maths (avancé)\r\n"
    "RECURRENCE-ID;TZID=Europe/Paris:20261214T080000\r\n"
    "DTSTART;TZID=Europe/Paris:20261020T080000\r\nDTEND;TZID=Europe/Paris:20261020T090000\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n"
)
OTHERS = (
    # all-day over two days, floating time, another zone, a series by count, an endless one
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Phone//Test//FR\r\nBEGIN:VEVENT\r\n"
    "UID:sortie@phone\r\nDTSTAMP:20260901T080000Z\r\nSUMMARY:Sortie scolaire\r\n"
    "DTSTART;VALUE=DATE:20261129\r\nDTEND;VALUE=DATE:20261201\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Phone//Test//FR\r\nBEGIN:VEVENT\r\n"
    "UID:flottant@phone\r\nDTSTAMP:20260901T080000Z\r\nSUMMARY:Heure flottante\r\n"
    "DTSTART:20261130T233000\r\nDTEND:20261201T003000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Phone//Test//FR\r\nBEGIN:VEVENT\r\n"
    "UID:martinique@phone\r\nDTSTAMP:20260901T080000Z\r\nSUMMARY:Visio Martinique\r\n"
    "DTSTART;TZID=America/Martinique:20261130T190000\r\n"
    "DTEND;TZID=America/Martinique:20261130T200000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Phone//Test//FR\r\nBEGIN:VEVENT\r\n"
    "UID:compte@phone\r\nDTSTAMP:20260901T080000Z\r\nSUMMARY:Trois jeudis\r\n"
    "DTSTART;TZID=Europe/Paris:20261112T230000\r\nDTEND;TZID=Europe/Paris:20261113T010000\r\n"
    "RRULE:FREQ=WEEKLY;COUNT=3\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    vevent("sans-fin@phone", "Vie de classe", datetime(2026, 9, 4, 16), datetime(2026, 9, 4, 17),
           "RRULE:FREQ=WEEKLY;BYDAY=FR\r\n"),
)


def _both_paths(prof, start: datetime, end: datetime, monkeypatch) -> tuple[list, list]:
    """The index's answer, then Radicale's. The report's path is chosen by patching, not by
    marking the index behind: the page queues a catch-up, and a worker started by an earlier
    test of this process would make the index current again under the next round's feet."""
    calendars = services.calendars_of(prof)
    results = []
    for indexed in (True, False):
        with monkeypatch.context() as patch:
            if not indexed:
                patch.setattr(window, "current_collections", lambda user, names: set())
            assert (window.current_collections(prof, ["personnel"]) == {"personnel"}) is indexed
            cache.clear()  # each path expands for itself
            results.append([dataclasses.asdict(o) for o in services.occurrences_between(
                prof, start, end, calendars)])  # fmt: skip
    return results[0], results[1]


def _fixed(occurrences: list[dict]) -> list[dict]:
    return [o for o in occurrences if o["uid"] != "flottant@phone"]


def test_the_index_gives_what_the_report_gives(signed_in, prof, live_server, monkeypatch):
    calendar = _calendar(live_server)
    for text in (SERIES, *OTHERS):
        calendar.add_event(text)
    reindex_collection("prof.demo", "personnel")
    assert IndexedEvent.objects.filter(owner=prof).count() == 1 + len(OTHERS)
    days = [datetime(2026, 10, 19, tzinfo=PARIS) + timedelta(weeks=n) for n in range(14)]
    seen = set()
    for zone in ("Europe/Paris", "Pacific/Noumea", "America/Los_Angeles"):
        with timezone.override(ZoneInfo(zone)):
            for first in days:
                start = first.astimezone(ZoneInfo(zone)).replace(hour=0)
                for length in (1, 7, 42):
                    indexed, reported = _both_paths(
                        prof, start, start + timedelta(days=length), monkeypatch)
                    assert all(o in indexed for o in reported), (zone, start, length)
                    assert _fixed(indexed) == _fixed(reported), (zone, start, length)
                    seen.update(o["title"] for o in indexed)
    # Radicale's time-range filter reads a floating time as UTC, not in the viewer's clock: the
    # REPORT misses «23:30» on the day view of 30 November in Paris; the index does not.
    with timezone.override(PARIS):
        day = datetime(2026, 11, 30, tzinfo=PARIS)
        indexed, reported = _both_paths(prof, day, day + timedelta(days=1), monkeypatch)
        assert "Heure flottante" in {o["title"] for o in indexed} - {o["title"] for o in reported}
    assert seen == {"Maths", "Maths (salle 12)", "Maths (rattrapage)", "Maths (avancé)",
                    "Sortie scolaire", "Heure flottante", "Visio Martinique", "Trois jeudis",
                    "Vie de classe"}  # fmt: skip


@pytest.mark.usefixtures("worker")
def test_the_hooks_task_makes_the_index_current_again(signed_in, prof, live_server):
    calendar = _calendar(live_server)
    calendar.add_event(vevent(f"{uuid.uuid4()}@phone", "Conseil pédagogique",
                              datetime(2026, 11, 17, 17), datetime(2026, 11, 17, 18)))
    wait_for(lambda: _current(prof), timeout=30)
    assert IndexedEvent.objects.get(owner=prof).summary == "Conseil pédagogique"
    assert "Conseil pédagogique" in _week(signed_in)


def test_a_sync_token_the_store_no_longer_knows_restarts_the_sync(signed_in, prof, live_server):
    """Radicale forgets old tokens (max_sync_token_age) and refuses them (403, RFC 6578 §3.2):
    the index starts again from a whole listing, rows of events gone meanwhile leave it."""
    calendar = _calendar(live_server)
    kept = f"{uuid.uuid4()}@phone"
    calendar.add_event(vevent(kept, "Conseil pédagogique",
                              datetime(2026, 11, 17, 17), datetime(2026, 11, 17, 18)))
    gone = calendar.add_event(vevent(f"{uuid.uuid4()}@phone", "Sortie annulée",
                                     datetime(2026, 11, 18, 9), datetime(2026, 11, 18, 12)))
    reindex_collection("prof.demo", "personnel")
    gone.delete()
    CollectionState.objects.filter(owner=prof, collection="personnel").update(
        sync_token="http://radicale.org/ns/sync/" + "0" * 64)  # fmt: skip
    reindex_collection("prof.demo", "personnel")
    assert list(IndexedEvent.objects.filter(owner=prof).values_list("summary", flat=True)) == [
        "Conseil pédagogique"]  # fmt: skip
    assert _current(prof) and "Sortie annulée" not in _week(signed_in)


def test_the_cached_calendar_list_follows_a_phone(signed_in, prof, live_server):
    """The pages keep the list of calendars in the cache (no PROPFIND each time): a phone's
    renaming is on the next page, a calendar deleted on a phone leaves an empty agenda, not an
    error."""
    from caldav.elements import dav

    calendar = _calendar(live_server)
    calendar.set_properties([dav.DisplayName("Cours de 2nde")])
    assert "Cours de 2nde" in _week(signed_in)
    calendar.add_event(vevent(f"{uuid.uuid4()}@phone", "Conseil pédagogique",
                              datetime(2026, 11, 17, 17), datetime(2026, 11, 17, 18)))
    assert "Conseil pédagogique" in _week(signed_in)
    calendar.delete()
    assert signed_in.get(WEEK).status_code == 200
    assert "Conseil pédagogique" not in _week(signed_in)


def test_calendars_made_in_one_transaction_keep_radicale_answering(prof):
    """A transaction may make calendars and go on writing (the worker's sync making a shared
    calendar's copy): Radicale's hook counts the home's changes while it holds Radicale's
    lock, so the web app must hold no lock on those counts across its later requests, or the
    hook waits on it and the request times out."""
    with transaction.atomic(), dav_session("prof.demo") as store:
        store.make_calendar("cours", "Cours", "#000091")
        store.make_calendar("projets", "Projets", "#18753c")
        store.put("projets", "conseil.ics", vevent(f"{uuid.uuid4()}@web", "Conseil pédagogique",
                  datetime(2026, 11, 17, 17), datetime(2026, 11, 17, 18)), etag=None)
    assert {"cours", "projets"} <= {c.name for c in services.calendars_of(prof)}
