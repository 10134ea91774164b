"""Rooms booked by inviting their address: one booking of a slot wins even when several
arrive at the same moment (threads), every occurrence of a series is checked, the answer
reaches the organiser's event as a REPLY, from a phone as from the web."""

import threading
import uuid
from datetime import timedelta

import pytest
from caldav.lib import error
from django.utils import timezone

from accounts.models import Notice
from calendar_app import ical, itip, rooms
from calendar_app.models import ReceivedItip, Room, RoomBooking, RoomSlot
from directory.models import Etablissement
from directory.people import entry_for
from directory.search import listed_people
from tests.agenda_helpers import PARIS, all_at_once, empty_store, phone  # noqa: F401 - fixture
from tests.conftest import PASSWORD, make_person, wait_for
from tests.invitation_helpers import next_tuesday

pytestmark = pytest.mark.usefixtures("empty_store")
FMT = "%Y%m%dT%H%M%S"


@pytest.fixture
def room(prof):
    return rooms.create_room(Etablissement.objects.get(uai="0311234Y"), "Salle polyvalente",
                             "salle-polyvalente.0311234y@ac-demo.test", capacity=120)  # fmt: skip


def request(organizer, room, start, hours=1, title="Réunion", extra="", uid=None) -> str:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//FR\r\nMETHOD:REQUEST\r\n"
        f"BEGIN:VEVENT\r\nUID:{uid or uuid.uuid4()}\r\nDTSTAMP:20261201T080000Z\r\n"
        f"SUMMARY:{title}\r\nSEQUENCE:0\r\n"
        f"DTSTART;TZID=Europe/Paris:{start.strftime(FMT)}\r\n"
        f"DTEND;TZID=Europe/Paris:{(start + timedelta(hours=hours)).strftime(FMT)}\r\n{extra}"
        f"ORGANIZER:mailto:{organizer.email}\r\n"
        f"ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:{room.email}\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )


def test_concurrent_bookings_of_one_slot_end_with_exactly_one_accepted(prof, room):
    people = [prof] + [make_person(f"concurrent{i}.demo") for i in range(5)]
    start = next_tuesday(14).replace(tzinfo=None)
    texts = [request(p, room, start + timedelta(minutes=10 * i)) for i, p in enumerate(people)]
    results = []

    def book(person, text):
        results.append(rooms.book(room.id, person.id, text))

    all_at_once(book, zip(people, texts, strict=True))
    assert sorted(results) == ["ACCEPTED"] + ["DECLINED"] * 5
    declined = RoomBooking.objects.filter(status="DECLINED")
    busy = "Salle polyvalente est déjà réservée le mardi"
    assert all(b.reason.startswith(busy) for b in declined)
    assert RoomSlot.objects.filter(room=room).count() == 1
    winner = RoomBooking.objects.get(status="ACCEPTED")
    notice = Notice.objects.get(user=declined[0].organizer)
    assert notice.title.startswith("Salle polyvalente a refusé") and "déjà réservée" in notice.body
    accepted = Notice.objects.get(user=winner.organizer)
    assert accepted.title.startswith("Salle polyvalente est réservée")


@pytest.mark.e2e
@pytest.mark.usefixtures("worker")
def test_twenty_bookings_of_one_slot_at_once_each_get_an_answer(prof, room):
    """#14: twenty bookings at once each get their answer, on the embedded SQLite too, where
    the whole file is locked by one writer: neither a booking nor the worker's sync of the
    calendars it writes (running meanwhile) may hold it while talking to Radicale, whose
    hook writes to the same file."""
    from dav.client import dav_session

    people = [prof] + [make_person(f"together{i}.demo") for i in range(19)]
    start = next_tuesday(10).replace(tzinfo=None)
    texts = []
    for person in people:  # each organiser's own event, which the room's REPLY updates
        uid = f"{uuid.uuid4()}@test"
        text = request(person, room, start, uid=uid)
        with dav_session(person.username) as store:
            store.make_calendar("personnel", "Personnel", "#000091")
            store.put("personnel", ical.href_for(uid), text.replace("METHOD:REQUEST\r\n", ""),
                      etag=None)
        texts.append(text)
    results, failures = [], []

    def book(person, text):
        try:
            results.append(rooms.book(room.id, person.id, text))
        except Exception as exc:  # «database is locked»: the thread's answer never came
            failures.append(repr(exc))

    all_at_once(book, zip(people, texts, strict=True))
    assert failures == []
    assert sorted(results) == ["ACCEPTED"] + ["DECLINED"] * 19
    answers = [_stored_answer(b.organizer.username, "personnel", ical.href_for(b.uid),
                              room.email) for b in RoomBooking.objects.select_related("organizer")]
    assert sorted(answers) == ["ACCEPTED"] + ["DECLINED"] * 19
    assert RoomSlot.objects.filter(room=room).count() == 1


def test_an_answer_waits_while_another_of_the_same_event_is_applied(prof, room):
    """Messages about one event are applied one at a time by a claim on their record, not a
    transaction: the next waits for it, and a dead worker's claim lapses."""
    from dav.client import dav_session

    uid = f"{uuid.uuid4()}@test"
    start = next_tuesday(16).replace(tzinfo=None)
    with dav_session(prof.username) as store:
        store.make_calendar("personnel", "Personnel", "#000091")
        store.put("personnel", ical.href_for(uid), request(prof, room, start, uid=uid).replace(
            "METHOD:REQUEST\r\n", ""), etag=None)  # fmt: skip
    assert rooms.book(room.id, prof.id, request(prof, room, start, uid=uid)) == "ACCEPTED"
    # A worker of the run may be booking the same REQUEST (Radicale's hook saw the event
    # above): its claim is let go once it finds it already applied.
    record = wait_for(lambda: ReceivedItip.objects.filter(
        owner=prof, uid=uid, attendee=room.email, claimed_until=None).first())  # fmt: skip
    assert record.sequence == 0
    held_until = timezone.now() + timedelta(seconds=5)  # a worker applying the last one
    ReceivedItip.objects.filter(pk=record.pk).update(claimed_until=held_until)
    moved = request(prof, room, start + timedelta(hours=1), uid=uid).replace(
        "SEQUENCE:0", "SEQUENCE:1")  # fmt: skip
    assert rooms.book(room.id, prof.id, moved) == "ACCEPTED"
    assert timezone.now() >= held_until
    assert wait_for(lambda: ReceivedItip.objects.filter(
        pk=record.pk, sequence=1, claimed_until=None).exists())  # fmt: skip
    assert _stored_answer(prof.username, "personnel", ical.href_for(uid), room.email) == "ACCEPTED"


def test_a_series_is_declined_when_one_occurrence_clashes(prof, colleague, room):
    start = next_tuesday(10).replace(tzinfo=None)
    third = start + timedelta(weeks=2)
    assert rooms.book(room.id, colleague.id, request(colleague, room, third)) == "ACCEPTED"
    series = request(prof, room, start, title="Club théâtre",
                     extra="RRULE:FREQ=WEEKLY;COUNT=5\r\n")  # fmt: skip
    assert rooms.book(room.id, prof.id, series) == "DECLINED"
    booking = RoomBooking.objects.get(organizer=prof)
    day = third.day
    assert f"le mardi {day} " in booking.reason and "de 10:00 à 11:00" in booking.reason
    # Another weekday: all five occurrences held; the same REQUEST again gives the same answer.
    other = request(prof, room, start + timedelta(days=1), title="Club échecs",
                    extra="RRULE:FREQ=WEEKLY;COUNT=5\r\n")  # fmt: skip
    assert rooms.book(room.id, prof.id, other) == "ACCEPTED"
    assert rooms.book(room.id, prof.id, other) == "ACCEPTED"
    assert RoomSlot.objects.filter(booking__summary="Club échecs").count() == 5


def test_approval_waits_for_the_manager(client, prof, colleague, room):
    room.policy = Room.Policy.APPROVAL
    room.save()
    room.managers.add(colleague)
    start = next_tuesday(16).replace(tzinfo=None)
    text = request(prof, room, start, title="Répétition")
    assert rooms.book(room.id, prof.id, text) == "TENTATIVE"
    assert RoomSlot.objects.filter(room=room).count() == 1  # the slot is held meanwhile
    booking = RoomBooking.objects.get(summary="Répétition")
    client.force_login(prof)  # not a manager: nothing to decide
    url = f"/agenda/salles/demandes/{booking.id}/"
    assert client.post(url, {"decision": "accepter"}).status_code == 404
    client.force_login(colleague)
    page = client.get("/agenda/salles/demandes/")
    assert "Répétition" in page.content.decode() and "Camille Martin" in page.content.decode()
    client.post(url, {"decision": "refuser"})
    booking.refresh_from_db()
    assert booking.status == "DECLINED" and "a refusé la réservation" in booking.reason
    assert not RoomSlot.objects.filter(room=room).exists()
    # Approved, then moved by the organiser: it waits for approval again.
    uid = str(uuid.uuid4())
    rooms.book(room.id, prof.id, request(prof, room, start, title="Chorale", uid=uid))
    booking = RoomBooking.objects.get(summary="Chorale")
    client.post(f"/agenda/salles/demandes/{booking.id}/", {"decision": "accepter"})
    booking.refresh_from_db()
    assert booking.status == "ACCEPTED"
    moved = request(prof, room, start + timedelta(hours=1), title="Chorale", uid=uid)
    assert rooms.book(room.id, prof.id, moved.replace("SEQUENCE:0", "SEQUENCE:1")) == "TENTATIVE"


def _stored_answer(login, collection, href, email):
    from dav.client import dav_session

    with dav_session(login) as store:
        event = itip.first_event(ical.parse(store.get(collection, href).text))
    return itip.partstat_of(event, email)


def test_rooms_invited_from_phones_answer_the_organisers_events(
    live_server, worker, client, prof, colleague, room
):
    from dav.client import dav_session

    start = next_tuesday(8).replace(tzinfo=None)
    hrefs = {}
    for person in (prof, colleague):
        with dav_session(person.username) as store:
            store.make_calendar("personnel", "Personnel", "#000091")
    phones = []
    for person, minutes in ((prof, 0), (colleague, 30)):
        uid = f"{uuid.uuid4()}@phone"
        text = request(person, room, start + timedelta(minutes=minutes), uid=uid,
                       title=f"Réunion de {person.first_name}").replace("METHOD:REQUEST\r\n", "")
        calendar = phone(live_server, person.username, PASSWORD).calendar(
            url=f"{live_server.url}/dav/{person.username}/personnel/")  # fmt: skip
        phones.append((calendar, text))
        hrefs[person.username] = ical.href_for(uid)
    barrier = threading.Barrier(len(phones))

    def save(calendar, text):  # both phones at the same moment
        barrier.wait()
        calendar.add_event(text)

    threads = [threading.Thread(target=save, args=pair) for pair in phones]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    def answers():
        found = [_stored_answer(login, "personnel", href, room.email)
                 for login, href in hrefs.items()]  # fmt: skip
        return found if "NEEDS-ACTION" not in found else None

    answers = wait_for(answers, timeout=60)
    assert sorted(answers) == ["ACCEPTED", "DECLINED"]
    # The organiser who lost reads why on the event's page.
    loser = RoomBooking.objects.get(status="DECLINED").organizer
    client.force_login(loser)
    page = client.get(f"/agenda/evenement/personnel/{hrefs[loser.username]}/").content.decode()
    assert "refusé : Salle polyvalente est déjà réservée le mardi" in page
    # The room's agenda holds the winner, and the établissement's staff read it by CalDAV.
    reader = phone(live_server, colleague.username, PASSWORD).calendar(
        url=f"{live_server.url}/dav/{rooms.principal_of(room.etablissement)}/{room.calendar}/")
    held = [str(e.icalendar_component["SUMMARY"]) for e in reader.events()]
    assert held == [RoomBooking.objects.get(status="ACCEPTED").summary]
    outsider = make_person("autre.demo")
    outsider.etablissement = Etablissement.objects.create(uai="0310001A", name="Collège Voisin",
                                                          kind="college")  # fmt: skip
    outsider.save()
    with pytest.raises(error.DAVError):
        phone(live_server, outsider.username, PASSWORD).calendar(
            url=f"{live_server.url}/dav/{rooms.principal_of(room.etablissement)}/{room.calendar}/"
        ).events()


def test_demo_rooms_and_their_calendars(live_server, prof):
    from demo.agenda import seed_demo_rooms

    seed_demo_rooms()
    seed_demo_rooms()  # again: nothing doubled
    salle = Room.objects.get(email="salle-polyvalente.0311234y@ac-demo.test")
    assert salle.name == "Salle polyvalente" and salle.policy == Room.Policy.AUTOMATIC
    assert Room.objects.filter(etablissement__uai="0311234Y").count() == 4
    calendars = phone(live_server, prof.username, PASSWORD).calendar(
        url=f"{live_server.url}/dav/ressources.0311234y/{salle.calendar}/")  # fmt: skip
    assert calendars.events() == []


def test_a_room_invited_from_the_web_form_is_booked_and_freed_on_deletion(client, worker, prof,
                                                                           room):  # fmt: skip
    from calendar_app import services
    from calendar_app.models import ScheduledEvent

    client.force_login(prof)
    client.get("/agenda/semaine/")
    start = next_tuesday(11)
    end = start + timedelta(hours=1)
    response = client.post("/agenda/evenement/nouveau/", {
        "title": "Conseil pédagogique", "calendar": "personnel", "location": "",
        "start_date": start.date().isoformat(), "start_time": "11:00",
        "end_date": end.date().isoformat(), "end_time": "12:00", "time_zone": "Europe/Paris",
        "busy": "busy", "privacy": "public", "frequency": "", "interval": "1", "ends": "never",
        "monthly_by": "date", "participants": room.email})  # fmt: skip
    assert response.status_code == 302
    row = wait_for(lambda: ScheduledEvent.objects.filter(owner=prof).first())
    assert wait_for(lambda: _stored_answer("prof.demo", row.collection, row.href, room.email)
                    == "ACCEPTED", timeout=60)  # fmt: skip
    assert RoomSlot.objects.filter(room=room).count() == 1
    event = services.find_event(prof, row.collection, row.href)
    client.post(f"/agenda/evenement/{row.collection}/{row.href}/supprimer/",
                {"etag": event.etag, "scope": "all"})  # fmt: skip
    wait_for(lambda: not RoomBooking.objects.filter(room=room).exists(), timeout=60)
    assert not RoomSlot.objects.filter(room=room).exists()


def test_the_service_account_is_kept_in_use(prof, room):
    from accounts.models import User

    service = User.objects.get(username=rooms.principal_of(room.etablissement))
    assert not service.has_usable_password()
    User.objects.filter(pk=service.pk).update(status=User.Status.SUSPENDED, last_login=None)
    start = next_tuesday(18).replace(tzinfo=None)
    assert rooms.book(room.id, prof.id, request(prof, room, start)) == "ACCEPTED"
    service.refresh_from_db()
    assert service.can_log_in and service.last_login is not None
    # Not a person: not in the directory.
    assert not listed_people().filter(user=service).exists()


def test_a_room_added_in_the_admin_is_ready_to_invite(client, prof):
    from accounts.models import User

    admin = User.objects.create_superuser("admin.rooms", "admin.rooms@ac-demo.test", PASSWORD,
                                          category=User.Category.IT_SUPPORT)  # fmt: skip
    client.force_login(admin)
    etab = Etablissement.objects.get(uai="0311234Y")
    response = client.post("/admin/calendar_app/room/add/", {
        "etablissement": etab.id, "name": "CDI", "email": " CDI.0311234Y@ac-demo.test",
        "kind": "room", "capacity": "40", "policy": "automatic", "active": "on"})  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    room = Room.objects.get(email="cdi.0311234y@ac-demo.test")
    assert room.calendar == "cdi0311234y"
    assert rooms.book(room.id, prof.id, request(prof, room, next_tuesday(9).replace(
        tzinfo=None))) == "ACCEPTED"  # fmt: skip


def test_a_private_event_shows_as_busy_in_the_rooms_agenda(client, prof, colleague, room):
    from dav.client import dav_session

    start = next_tuesday(15).replace(tzinfo=None)
    text = request(prof, room, start, title="Entretien confidentiel",
                   extra="CLASS:PRIVATE\r\nDESCRIPTION:Dossier médical\r\n")  # fmt: skip
    assert rooms.book(room.id, prof.id, text) == "ACCEPTED"
    with dav_session(rooms.principal_of(room.etablissement)) as store:
        [stored] = store.all_resources(room.calendar)
    assert "Entretien" not in stored.text and "médical" not in stored.text
    assert "SUMMARY:Occupé" in stored.text
    client.force_login(colleague)
    page = client.get(f"/agenda/salles/{room.id}/").content.decode()
    assert "Occupé" in page and "Entretien" not in page


def test_a_room_calendar_made_twice_at_once_is_made_once(room):
    """Two first bookings of a new room at the same moment: both see no calendar and ask
    Radicale to make it; the one refused finds it made."""
    from dav.client import dav_session

    owner = rooms.principal_of(room.etablissement)
    for _ in range(4):
        with dav_session(owner) as store:
            if room.calendar in {c.name for c in store.calendars()}:
                store.delete_calendar(room.calendar)
        assert all_at_once(rooms.ensure_calendar, [(room,), (room,)]) == []
        with dav_session(owner) as store:
            assert [c.name for c in store.calendars()].count(room.calendar) == 1


def test_a_refused_first_booking_leaves_the_rooms_calendar_alone(prof, colleague, room,
                                                                 monkeypatch):  # fmt: skip
    """Of twenty bookings of one slot, nineteen are refused before anything of theirs was in
    the room's calendar: they ask nothing of it (each request queued behind Radicale's
    writes). A held booking moved onto a taken slot is refused, and its copy leaves."""
    from dav.client import DavSession, dav_session

    start = next_tuesday(9).replace(tzinfo=None)
    assert rooms.book(room.id, colleague.id, request(colleague, room, start)) == "ACCEPTED"
    asked, get = [], DavSession.get
    monkeypatch.setattr(DavSession, "get", lambda self, name, href: asked.append(name) or get(
        self, name, href))  # fmt: skip
    assert rooms.book(room.id, prof.id, request(prof, room, start)) == "DECLINED"
    assert room.calendar not in asked
    uid = f"{uuid.uuid4()}@test"
    assert rooms.book(room.id, prof.id, request(prof, room, start + timedelta(hours=2),
                                                uid=uid)) == "ACCEPTED"  # fmt: skip
    moved = request(prof, room, start, uid=uid).replace("SEQUENCE:0", "SEQUENCE:1")
    assert rooms.book(room.id, prof.id, moved) == "DECLINED"
    with dav_session(rooms.principal_of(room.etablissement)) as store:
        assert [r.href for r in store.all_resources(room.calendar)] == [
            ical.href_for(RoomBooking.objects.get(status="ACCEPTED").uid)]  # fmt: skip


def test_a_first_booking_reads_its_request_once_and_only_writes_the_rooms_copy(
        prof, colleague, room, monkeypatch):  # fmt: skip
    """Twenty bookings at once share one process's CPU, Radicale's and SQLite's one-at-a-time
    writes: the REQUEST is read once, its REPLY handed to the organiser's inbox without being
    written and read again (its claim one write), and a first booking asks
    the room's calendar one PUT (its calendar made on refusal), no look for a copy not there
    yet."""
    from caldav import DAVClient
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dav.client import dav_session

    with dav_session(colleague.username) as store:
        store.make_calendar("personnel", "Personnel", "#000091")
    read, parse = [], ical.parse

    def parsed(text):  # iTIP messages (a stored copy has no METHOD)
        if "METHOD:" in text:
            read.append(text.split("METHOD:")[1].split("\r\n")[0])
        return parse(text)

    monkeypatch.setattr(ical, "parse", parsed)
    asked, request_ = [], DAVClient.request
    home = f"/{rooms.principal_of(room.etablissement)}/"

    def counted(self, url, method="GET", *args, **kwargs):
        if home in str(url):
            asked.append(method)
        return request_(self, url, method, *args, **kwargs)

    monkeypatch.setattr(DAVClient, "request", counted)
    start = next_tuesday(9).replace(tzinfo=None)
    for hours in (0, 2):  # the room's calendar missing, then there
        uid = f"{uuid.uuid4()}@test"
        # Not put in the organiser's agenda: a worker left running by another test would book
        # it too (the REPLY reaching their event: test_concurrent_bookings_of_one_slot_...).
        text = request(colleague, room, start + timedelta(hours=hours), uid=uid)
        read.clear()
        asked.clear()
        with CaptureQueriesContext(connection) as queries:
            assert rooms.book(room.id, colleague.id, text) == "ACCEPTED"
        assert read == ["REQUEST"]
        # The REPLY's claim row is new: looked for, then made already claimed (one write,
        # not an update finding nothing, then an insert), its claim let go at the end.
        assert [q["sql"].split()[0] for q in queries.captured_queries
                if "calendar_app_receiveditip" in q["sql"]] == ["SELECT", "INSERT",
                                                                "UPDATE"]  # fmt: skip
        if hours:
            assert asked == ["PUT"]
        else:  # refused, then the calendar made and the copy written
            assert asked[0] == "PUT" and "MKCALENDAR" in asked and asked[-1] == "PUT"
    with dav_session(rooms.principal_of(room.etablissement)) as store:
        assert len(store.all_resources(room.calendar)) == 2


def test_a_rooms_busy_times_are_in_free_busy_titles_for_its_staff_only(client, prof, colleague,
                                                                        room):  # fmt: skip
    """The scheduling assistant asks /agenda/disponibilites/ for the rooms typed among the
    participants, as for people: their held slots, titles as the room's agenda shows them."""
    start = next_tuesday(10).replace(tzinfo=None)
    assert rooms.book(room.id, prof.id, request(prof, room, start, title="Conseil")) == "ACCEPTED"
    rooms.book(room.id, prof.id, request(prof, room, start + timedelta(hours=2), title="Entretien",
                                         extra="CLASS:PRIVATE\r\n"))  # fmt: skip
    day = start.date().isoformat()
    query = {"email": room.email.upper(), "debut": f"{day}T00:00", "fin": f"{day}T23:59"}
    client.force_login(colleague)
    (seen,) = client.get("/agenda/disponibilites/", query).json()["personnes"]
    assert seen["connu"] and seen["nom"] == "Salle polyvalente"
    assert [(p["debut"][11:16], p["fin"][11:16], p["titre"]) for p in seen["occupe"]] == [
        ("10:00", "11:00", "Conseil"), ("12:00", "13:00", "Occupé")]  # fmt: skip
    elsewhere = make_person("ailleurs.demo")
    elsewhere.etablissement = Etablissement.objects.create(uai="0310002B", name="Collège Voltaire",
                                                           kind="college")  # fmt: skip
    elsewhere.save()
    entry_for(elsewhere).etablissements.set([elsewhere.etablissement])  # moved, not added
    client.force_login(elsewhere)
    (seen,) = client.get("/agenda/disponibilites/", query).json()["personnes"]
    assert [p["titre"] for p in seen["occupe"]] == ["Occupé", "Occupé"]
