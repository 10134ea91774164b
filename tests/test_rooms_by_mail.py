"""Rooms invited by an organiser from outside: an Outlook REQUEST mailed to the room's address
goes through the real gateway and worker, books the room with the rules of internal bookings
(one winner, approval by a manager), and the room's REPLY is mailed back from its address
(captured in the spool: no smarthost in the tests), with the French reason of a refusal."""

import re
import smtplib
import threading
import uuid
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.db import connections

from calendar_app import itip, rooms, tasks
from calendar_app.models import Room, RoomBooking, RoomSlot
from directory.models import Etablissement
from mail.models import OutgoingMessage, SpooledMessage
from mail.outgoing import sending
from tests.agenda_helpers import empty_store  # noqa: F401 - fixture
from tests.conftest import make_person, wait_for
from tests.invitation_helpers import captured, next_tuesday
from tests.test_invitations_receiving import FIXTURES, fixture, send_from_outside
from tests.test_rooms import request

pytestmark = pytest.mark.usefixtures("empty_store")
ROOM = "salle-polyvalente.0311234y@ac-demo.test"
SOPHIE = "sophie.laurent@region-occitanie.example"
MARC = "marc.petit@region-occitanie.example"
TITLE = "Chantier de la demi-pension"


@pytest.fixture
def room(prof):
    return rooms.create_room(Etablissement.objects.get(uai="0311234Y"), "Salle polyvalente",
                             ROOM, capacity=120)  # fmt: skip


def outlook_calendar() -> str:
    """The calendar part of the Outlook fixture, as text, to vary it."""
    raw = (FIXTURES / "outlook-room-request.eml").read_bytes()
    message = BytesParser(policy=policy.default).parsebytes(raw)
    return next(p.get_content() for p in message.walk()
                if p.get_content_type() == "text/calendar")  # fmt: skip


def invitation(text: str, sender: str, method: str = "REQUEST") -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ROOM
    message["Subject"] = f"{TITLE} {uuid.uuid4().hex[:6]}"
    message.set_content("Bonjour,\n")
    message.add_alternative(text, subtype="calendar", params={"method": method})
    return message.as_bytes(policy=policy.SMTP)


def other_organiser(text: str, organiser: str, uid: str) -> str:
    return (text.replace(f"mailto:{SOPHIE}", f"mailto:{organiser}")
            .replace("UID:040000008200E00074", f"UID:{uid}-", 1))  # fmt: skip


def spooled_to(address: str, sender: str, status=SpooledMessage.Status.DELIVERED):
    """The first spool row of a message from ``sender`` to ``address`` in that state."""
    for row in SpooledMessage.objects.filter(status=status, mail_from=sender).order_by(
            "received_at"):  # fmt: skip
        if address in row.recipients:
            return row
    return None


def room_outcomes(outcome: str) -> int:
    """How many mailed invitations the test worker has applied to rooms with this outcome."""
    log = Path(settings.VAR_DIR) / "worker.log"
    pattern = re.compile(r"Task calendar_app\.tasks\.receive_room_mail\[[^\]]+\] succeeded in "
                         rf"[0-9.e-]+s: '{re.escape(outcome)}'")  # fmt: skip
    return len(pattern.findall(log.read_text(errors="replace"))) if log.exists() else 0


def answers_to(address: str) -> list:
    return [(m, r, plain, msg) for m, r, plain, msg in captured(address, TITLE)
            if m == "REPLY"]  # fmt: skip


@pytest.mark.usefixtures("mail_stack")
def test_a_room_invited_from_outlook_is_booked_and_answers_by_mail(prof, room):
    send_from_outside(fixture("outlook-room-request.eml", "salle"), SOPHIE, ROOM)
    booking = wait_for(lambda: RoomBooking.objects.filter(room=room).first(), timeout=60)
    assert booking.status == "ACCEPTED" and booking.organizer is None
    assert booking.organizer_email == SOPHIE
    [slot] = RoomSlot.objects.filter(room=room)
    assert slot.starts_at == datetime(2027, 3, 16, 9, 0, tzinfo=UTC)  # 10:00 in Paris (CET)
    assert slot.ends_at == datetime(2027, 3, 16, 11, 0, tzinfo=UTC)
    [(_m, reply, plain, message)] = wait_for(lambda: answers_to(SOPHIE), timeout=60)
    assert reply.uid.startswith("040000008200E00074")
    assert itip.partstat_of(reply.event, ROOM) == "ACCEPTED"
    assert ROOM in str(message["From"]) and "Salle polyvalente" in str(message["From"])
    assert str(message["Subject"]).startswith("Accepté")
    assert "Salle polyvalente a accepté" in plain
    # Nothing was stored for the room: it has no mailbox; the spool row is delivered.
    row = wait_for(lambda: spooled_to(ROOM, SOPHIE))
    assert ROOM in row.delivered_to

    # Another organiser from outside, the same slot: declined, with the French reason.
    text = other_organiser(outlook_calendar(), MARC, "marc")
    send_from_outside(invitation(text, MARC), MARC, ROOM)
    [(_m, refusal, plain, _msg)] = wait_for(lambda: answers_to(MARC), timeout=60)
    assert itip.partstat_of(refusal.event, ROOM) == "DECLINED"
    reason = "Salle polyvalente est déjà réservée le mardi 16 mars 2027 de 10:00 à 12:00."
    assert str(refusal.event.get("COMMENT")) == reason
    assert reason in plain
    assert RoomSlot.objects.filter(room=room).count() == 1

    # Sophie cancels: the slot is free again, and Marc's next REQUEST (SEQUENCE 1) wins.
    cancel = (outlook_calendar().replace("METHOD:REQUEST", "METHOD:CANCEL")
              .replace("SEQUENCE:0", "SEQUENCE:1").replace("STATUS:CONFIRMED", "STATUS:CANCELLED"))
    send_from_outside(invitation(cancel, SOPHIE, "CANCEL"), SOPHIE, ROOM)
    wait_for(lambda: not RoomBooking.objects.filter(organizer_email=SOPHIE).exists(), timeout=60)
    assert not RoomSlot.objects.filter(room=room).exists()
    again = text.replace("SEQUENCE:0", "SEQUENCE:1")
    send_from_outside(invitation(again, MARC), MARC, ROOM)
    assert wait_for(lambda: RoomBooking.objects.filter(organizer_email=MARC,
                                                       status="ACCEPTED").exists(), timeout=60)


@pytest.mark.usefixtures("mail_stack")
def test_only_invitations_from_their_organiser_book_a_room(prof, room):
    # A mail without an invitation: refused like mail to an unknown address (a bounce).
    plain = EmailMessage()
    plain["From"], plain["To"], plain["Subject"] = SOPHIE, ROOM, "Question sur la salle"
    plain.set_content("Bonjour, la salle est-elle libre ?\n")
    send_from_outside(plain.as_bytes(policy=policy.SMTP), SOPHIE, ROOM)
    row = wait_for(lambda: spooled_to(ROOM, SOPHIE, SpooledMessage.Status.FAILED))
    assert "takes invitations only" in row.last_error
    # An invitation whose ORGANIZER is not the sender; one claiming our domain from outside.
    refused = room_outcomes("not-from-organizer")
    forged = other_organiser(outlook_calendar(), MARC, "forged")
    send_from_outside(invitation(forged, SOPHIE), SOPHIE, ROOM)
    claimed = other_organiser(outlook_calendar(), prof.email, "claimed")
    send_from_outside(invitation(claimed, prof.email), prof.email, ROOM)
    wait_for(lambda: room_outcomes("not-from-organizer") > refused, timeout=60)
    wait_for(lambda: spooled_to(ROOM, prof.email, SpooledMessage.Status.FAILED))
    genuine = other_organiser(outlook_calendar(), SOPHIE, "genuine").replace(
        "20270316T1", "20270317T1")  # fmt: skip
    send_from_outside(invitation(genuine, SOPHIE), SOPHIE, ROOM)
    wait_for(lambda: RoomBooking.objects.filter(organizer_email=SOPHIE).exists(), timeout=60)
    assert list(RoomBooking.objects.values_list("organizer_email", flat=True)) == [SOPHIE]
    # Nobody but the établissement's service account sends from a room's address.
    with smtplib.SMTP(settings.GATEWAY_HOST, settings.GATEWAY_SUBMISSION_PORT, timeout=10) as c:
        c.login(f"{prof.username}*{settings.DOVECOT_MASTER_USER}", settings.DOVECOT_MASTER_SECRET)
        with pytest.raises(smtplib.SMTPSenderRefused):
            c.sendmail(ROOM, [SOPHIE], b"Subject: x\r\n\r\nx\r\n")


def test_approval_of_an_outside_booking_answers_by_mail(client, monkeypatch, prof, colleague,
                                                        room):  # fmt: skip
    room.policy = Room.Policy.APPROVAL
    room.save()
    room.managers.add(colleague)
    sent = []
    monkeypatch.setattr(rooms, "enqueue_on_commit", lambda name, *args: sent.append((name, args)))
    assert rooms.receive_by_mail(room.id, SOPHIE, outlook_calendar()) == "TENTATIVE"
    booking = RoomBooking.objects.get(room=room)
    client.force_login(colleague)
    page = client.get("/agenda/salles/demandes/").content.decode()
    assert SOPHIE in page and "Chantier de la demi-pension" in page
    client.post(f"/agenda/salles/demandes/{booking.id}/", {"decision": "accepter"})
    assert [name for name, _args in sent] == [rooms.MAIL_TASK, rooms.MAIL_TASK]
    assert sent[-1][1][1] == SOPHIE
    tasks.mail_room_answer(*sent[-1][1])
    outgoing = OutgoingMessage.objects.get(mail_from=ROOM)
    assert outgoing.user.username == rooms.principal_of(room.etablissement)
    message = BytesParser(policy=policy.default).parsebytes(bytes(outgoing.raw))
    assert str(message["Subject"]).startswith("Accepté") and ROOM in str(message["From"])


@pytest.mark.usefixtures("gateway")
def test_a_rooms_answer_by_mail_leaves_once_when_its_task_runs_twice(monkeypatch, prof, room):
    """A task the broker delivers again (its worker died before saying it was done) records
    the same answer once, and the sending, run twice too, submits it once."""
    sent = []
    monkeypatch.setattr(rooms, "enqueue_on_commit", lambda name, *args: sent.append((name, args)))
    assert rooms.receive_by_mail(room.id, SOPHIE, outlook_calendar()) == "ACCEPTED"
    [(name, args)] = sent
    assert name == rooms.MAIL_TASK
    tasks.mail_room_answer(*args)
    tasks.mail_room_answer(*args)
    [outgoing] = OutgoingMessage.objects.filter(mail_from=ROOM)
    assert outgoing.kind == OutgoingMessage.Kind.IMIP and outgoing.recipients == [SOPHIE]
    sending.do_send_message(outgoing.id)
    sending.do_send_message(outgoing.id)
    wait_for(lambda: OutgoingMessage.objects.get(id=outgoing.id).status == "sent")
    assert SpooledMessage.objects.filter(mail_from=ROOM).count() == 1


def test_outside_and_internal_bookings_of_one_slot_at_the_same_moment(monkeypatch, prof, room):
    """Threads: two colleagues (web or phone) and four organisers from outside (by mail)
    book the same hour at once: exactly one is ACCEPTED."""
    start = next_tuesday(9).replace(tzinfo=None)
    people = [prof, make_person("simultane.demo")]
    outside = [f"organisateur{i}@mairie-exemple.example" for i in range(4)]
    jobs = [lambda p=p: rooms.book(room.id, p.id, request(p, room, start)) for p in people]
    jobs += [lambda a=a: rooms.receive_by_mail(room.id, a, request(SimpleNamespace(email=a),
                                                                    room, start))
             for a in outside]  # fmt: skip
    barrier = threading.Barrier(len(jobs))
    results = []

    def run(job):
        barrier.wait()
        try:
            results.append(job())
        finally:
            connections.close_all()

    monkeypatch.setattr(rooms, "enqueue_on_commit", lambda *args: None)  # the answers' mails
    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["ACCEPTED"] + ["DECLINED"] * 5
    assert RoomSlot.objects.filter(room=room).count() == 1
    outsiders = RoomBooking.objects.filter(organizer__isnull=True)
    assert sorted(outsiders.values_list("organizer_email", flat=True)) == outside
    assert all(b.reason.startswith("Salle polyvalente est déjà réservée")
               for b in RoomBooking.objects.filter(status="DECLINED"))  # fmt: skip
    # An outsider cannot take over a colleague's booking by reusing its UID.
    winner = RoomBooking.objects.get(status="ACCEPTED")
    intruder = next(a for a in outside if a != winner.organizer_email)
    hijack = request(SimpleNamespace(email=intruder), room, start + timedelta(hours=3),
                     uid=winner.uid)  # fmt: skip
    assert rooms.receive_by_mail(room.id, intruder, hijack) == "not-from-organizer"
