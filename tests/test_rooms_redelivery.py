"""A booking task the broker delivers again (acks_late: its worker died after the work,
before saying it was done) answers once: the organiser gets one notice, one REPLY, one mail;
a run that died before its answer was given still gives it when delivered again (#14)."""

from datetime import UTC, datetime, timedelta

import pytest

from accounts.models import Notice
from calendar_app import inbox, rooms, tasks
from calendar_app.models import Room, RoomBooking
from dav.client import DavSession, DavUnavailable
from directory.models import Etablissement
from mail.models import OutgoingMessage
from tests.agenda_helpers import empty_store  # noqa: F401 - fixture
from tests.invitation_helpers import next_tuesday
from tests.test_rooms import request
from tests.test_rooms_by_mail import ROOM, SOPHIE, outlook_calendar

pytestmark = pytest.mark.usefixtures("empty_store")


@pytest.fixture
def room(prof):
    return rooms.create_room(Etablissement.objects.get(uai="0311234Y"), "Salle polyvalente",
                             ROOM, capacity=120)  # fmt: skip


@pytest.fixture
def answers(monkeypatch, time_machine):
    """What each run of a booking sends out: the REPLYs to organisers' agendas, the mails to
    organisers from outside (their tasks), the writes of the room's copy. The clock moves on
    between runs: a redelivered task's answer has a DTSTAMP of its own, as it would."""
    time_machine.move_to(datetime.now(UTC), tick=True)
    sent = {"replies": [], "mails": [], "copies": []}
    receive_reply, replace = inbox.receive_reply, DavSession.replace
    monkeypatch.setattr(inbox, "receive_reply",
                        lambda *args: sent["replies"].append(receive_reply(*args)))  # fmt: skip
    monkeypatch.setattr(rooms, "enqueue_on_commit",
                        lambda name, *args: sent["mails"].append((name, args)))  # fmt: skip

    def written(self, name, *args, **kwargs):  # counted once written (a new room's first
        result = replace(self, name, *args, **kwargs)  # is refused until its calendar exists)
        sent["copies"].append(name)
        return result

    monkeypatch.setattr(DavSession, "replace", written)
    sent["later"] = lambda: time_machine.shift(timedelta(minutes=10))
    return sent


def test_the_same_request_booked_twice_answers_once(prof, room, answers):
    text = request(prof, room, next_tuesday(10).replace(tzinfo=None))
    assert rooms.book(room.id, prof.id, text) == "ACCEPTED"
    booking = RoomBooking.objects.get(room=room)
    answers["later"]()
    assert rooms.book(room.id, prof.id, text) == "ACCEPTED"
    assert Notice.objects.filter(user=prof).count() == 1
    assert len(answers["replies"]) == 1 and answers["copies"] == [room.calendar]
    assert RoomBooking.objects.get(room=room).answered_at == booking.answered_at
    # A new REQUEST of the event (the organiser changed it) is answered again.
    moved = request(prof, room, next_tuesday(14).replace(tzinfo=None), uid=booking.uid)
    assert rooms.book(room.id, prof.id, moved.replace("SEQUENCE:0", "SEQUENCE:1")) == "ACCEPTED"
    assert Notice.objects.filter(user=prof).count() == 2 and len(answers["replies"]) == 2


def test_a_request_delivered_again_after_the_managers_decision_changes_nothing(
    prof, colleague, room, answers
):  # fmt: skip
    room.policy = Room.Policy.APPROVAL
    room.save()
    room.managers.add(colleague)
    text = request(prof, room, next_tuesday(16).replace(tzinfo=None))
    assert rooms.book(room.id, prof.id, text) == "TENTATIVE"
    booking = RoomBooking.objects.get(room=room)
    rooms.decide_waiting(colleague, booking.id, approve=False)
    answers["later"]()
    assert rooms.book(room.id, prof.id, text) == "DECLINED"  # not waiting for a manager again
    assert RoomBooking.objects.get(room=room).status == "DECLINED"
    assert Notice.objects.filter(user=prof).count() == 2 and len(answers["replies"]) == 2


def test_a_run_that_died_before_answering_answers_when_delivered_again(prof, room, answers,
                                                                       monkeypatch):  # fmt: skip
    """The decision was recorded, then the store went down while the room's copy was written:
    the task, retried with the same REQUEST, gives the answer; once given, never again."""
    replace, failures = DavSession.replace, [DavUnavailable("down")]

    def down_once(self, *args, **kwargs):
        if failures:
            raise failures.pop()
        return replace(self, *args, **kwargs)

    monkeypatch.setattr(DavSession, "replace", down_once)
    text = request(prof, room, next_tuesday(11).replace(tzinfo=None))
    with pytest.raises(DavUnavailable):
        rooms.book(room.id, prof.id, text)
    assert RoomBooking.objects.get(room=room).status == "ACCEPTED"
    assert not Notice.objects.filter(user=prof).exists() and answers["replies"] == []
    answers["later"]()
    assert rooms.book(room.id, prof.id, text) == "ACCEPTED"
    assert Notice.objects.filter(user=prof).count() == 1 and len(answers["replies"]) == 1
    answers["later"]()
    assert rooms.book(room.id, prof.id, text) == "ACCEPTED"
    assert Notice.objects.filter(user=prof).count() == 1 and len(answers["replies"]) == 1


def test_a_request_mailed_to_the_room_twice_is_answered_by_one_mail(prof, room, answers):
    text = outlook_calendar()
    assert rooms.receive_by_mail(room.id, SOPHIE, text) == "ACCEPTED"
    answers["later"]()
    assert rooms.receive_by_mail(room.id, SOPHIE, text) == "ACCEPTED"
    assert [name for name, _args in answers["mails"]] == [rooms.MAIL_TASK]
    for _name, args in answers["mails"]:
        tasks.mail_room_answer(*args)
    [outgoing] = OutgoingMessage.objects.filter(mail_from=room.email)
    assert outgoing.recipients == [SOPHIE]
