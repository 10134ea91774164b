"""An attendee's copy of an invitation as answers and the organiser's mails meet (#14): an
answer given from the mail while the worker (or a phone) rewrites the copy goes on the copy as
it is now, unless what they are invited to changed meanwhile — then nothing is written nor
sent, and the page says so in French instead of failing on the ETag; an update asks for a new
answer, an older one arriving late changes nothing, a cancelled occurrence leaves the rest of
the series; the organiser's counters agree in number."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from calendar_app import answers, from_mail, ical, inbox, itip, services
from calendar_app.ical import master
from dav.client import DavConflict, dav_session
from mail.models import Mailbox, OutgoingMessage
from mail.outgoing import sending
from tests.agenda_helpers import empty_store, vevent  # noqa: F401 - fixture
from tests.invitation_helpers import calendar_part

pytestmark = pytest.mark.usefixtures("empty_store")
HREF = "conseil@college.ics"


@pytest.fixture
def invited(prof, colleague):
    """Louis invites Camille; her copy waits for an answer in her agenda, as inbox puts it.
    Returns the REQUEST's calendar, as the mail carries it."""
    people = (
        f"ORGANIZER;CN=Louis Bernard:mailto:{colleague.email}\r\n"
        f"ATTENDEE;PARTSTAT=NEEDS-ACTION;CN=Camille Martin:mailto:{prof.email}\r\n"
    )
    text = vevent("conseil@college", "Conseil d'administration", datetime(2026, 11, 24, 17),
                  datetime(2026, 11, 24, 19), people)  # fmt: skip
    services.calendars_of(prof)
    with dav_session(prof.username) as store:
        store.put("personnel", HREF, text, etag=None)
    request = itip.outgoing(ical.parse(text), "REQUEST", sequence=0)
    master(request).pop("DTSTAMP")
    master(request).add("DTSTAMP", timezone.now() + timedelta(minutes=1))
    return ical.serialize(request).encode()


@pytest.fixture
def replies(monkeypatch):
    """The REPLYs recorded for the worker (not sent from here: the gateway is tested elsewhere)."""
    monkeypatch.setattr(sending, "enqueue_on_commit", lambda *args, **kwargs: None)
    return lambda: [row for row in OutgoingMessage.objects.filter(kind="imip")
                    if calendar_part(bytes(row.raw))[0] == "REPLY"]  # fmt: skip


def _rewritten_once_located(monkeypatch, prof, change):
    """The copy is rewritten (``change`` of its text) just after the answer read it."""
    real, calls = inbox.locate, []

    def locate(user, uid):
        found = real(user, uid)
        if not calls and found is not None:
            calls.append(uid)
            with dav_session(prof.username) as store:
                store.put(found.calendar, found.href, change(ical.serialize(found.parsed)),
                          etag=found.etag)  # fmt: skip
        return found

    monkeypatch.setattr(inbox, "locate", locate)


def test_a_rewrite_of_the_same_event_meanwhile_keeps_the_answer(monkeypatch, prof, invited,
                                                                replies):  # fmt: skip
    alarm = (
        "BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:Rappel\r\nTRIGGER:-PT15M\r\nEND:VALARM\r\n"
    )
    _rewritten_once_located(
        monkeypatch, prof, lambda text: text.replace("END:VEVENT", alarm + "END:VEVENT")
    )
    answers.answer(prof, invited, "ACCEPTED")
    copy = services.find_event(prof, "personnel", HREF)
    assert itip.partstat_of(master(copy.parsed), prof.email) == "ACCEPTED"
    assert master(copy.parsed).walk("VALARM")  # her phone's alarm is kept
    (reply,) = replies()
    assert "PARTSTAT=ACCEPTED" in calendar_part(bytes(reply.raw))[1]


def test_a_new_time_meanwhile_refuses_the_answer_in_french(monkeypatch, client, prof, invited,
                                                           replies):  # fmt: skip
    def moved(text):
        return text.replace("T170000", "T180000").replace("SEQUENCE:0", "SEQUENCE:1")

    _rewritten_once_located(monkeypatch, prof, moved)
    with pytest.raises(DavConflict):
        answers.answer(prof, invited, "ACCEPTED")
    assert not replies()
    copy = services.find_event(prof, "personnel", HREF)
    assert itip.partstat_of(master(copy.parsed), prof.email) == "NEEDS-ACTION"

    # From the message page: a French sentence, not a server error (the mail is read from
    # IMAP there; here it is the invitation's calendar part, as the page would find it).
    _rewritten_once_located(monkeypatch, prof, lambda text: text.replace("T18", "T16"))
    monkeypatch.setattr(from_mail, "raw_message", lambda *args: b"")
    monkeypatch.setattr(inbox, "calendar_part", lambda message: invited)
    mailbox = Mailbox.objects.get(owner=prof)
    client.force_login(prof)
    response = client.post(
        "/agenda/invitation/repondre/",
        {"boite": mailbox.id, "dossier": "INBOX", "uid": 1, "reponse": "DECLINED"},
        follow=True,
    )
    assert "Cet événement a été modifié ailleurs ; rien n’a été envoyé." in (
        response.content.decode()
    )
    assert not replies() and services.find_event(prof, "personnel", HREF) is not None


def _mailed(invitation: bytes, *, sequence: int, minutes: int, moved: bool = False) -> bytes:
    """The organiser's REQUEST again, stamped ``minutes`` from now, perhaps an hour later."""
    calendar = ical.parse(invitation.decode())
    request = itip.outgoing(calendar, "REQUEST", sequence=sequence)
    master(request).pop("DTSTAMP")
    master(request).add("DTSTAMP", timezone.now() + timedelta(minutes=minutes))
    text = ical.serialize(request)
    return (text.replace("T170000", "T180000") if moved else text).encode()


def test_an_update_reaches_the_answered_copy_and_an_older_one_does_not(
        prof, colleague, invited, replies):  # fmt: skip
    """The organiser's update (SEQUENCE 1, a new time) replaces the attendee's copy and asks
    for a new answer; the same version mailed again keeps the answer; the older version
    arriving late changes nothing."""
    assert inbox.receive(prof, colleague.email, invited) == "unchanged"
    answers.answer(prof, invited, "ACCEPTED")
    again = _mailed(invited, sequence=0, minutes=2)
    assert inbox.receive(prof, colleague.email, again) == "unchanged"
    copy = services.find_event(prof, "personnel", HREF)
    assert itip.partstat_of(master(copy.parsed), prof.email) == "ACCEPTED"

    update = _mailed(invited, sequence=1, minutes=3, moved=True)
    assert inbox.receive(prof, colleague.email, update) == "updated"
    copy = services.find_event(prof, "personnel", HREF)
    assert master(copy.parsed)["DTSTART"].dt.hour == 18
    assert itip.partstat_of(master(copy.parsed), prof.email) == "NEEDS-ACTION"

    late = _mailed(invited, sequence=0, minutes=4)
    assert inbox.receive(prof, colleague.email, late) == "already-applied"
    assert master(services.find_event(prof, "personnel", HREF).parsed)["DTSTART"].dt.hour == 18


def test_the_organisers_counters_agree_in_number_in_french():
    from django.utils import translation

    from calendar_app.card import counts

    answers_given = ["ACCEPTED"] * 3 + ["DECLINED"] + ["NEEDS-ACTION"] * 2
    people = [itip.Person(f"p{i}@example.org", "", a) for i, a in enumerate(answers_given)]
    with translation.override("fr"):
        assert counts(people) == "3 acceptés, 1 refusé, 2 sans réponse"
        maybe = counts(people[:1] + [itip.Person("x@example.org", "", "TENTATIVE")] * 2)
        assert maybe == "1 accepté, 2 peut-être, 0 refusé, 0 sans réponse"


def test_a_cancel_of_one_occurrence_takes_only_it_out_of_the_series(prof, colleague):
    people = (
        f"ORGANIZER;CN=Louis Bernard:mailto:{colleague.email}\r\n"
        f"ATTENDEE;PARTSTAT=ACCEPTED:mailto:{prof.email}\r\nSEQUENCE:0\r\n"
        "RRULE:FREQ=WEEKLY;COUNT=4\r\n"
    )
    text = vevent("serie@college", "Soutien 3e", datetime(2026, 11, 24, 17),
                  datetime(2026, 11, 24, 18), people)  # fmt: skip
    services.calendars_of(prof)
    with dav_session(prof.username) as store:
        store.put("personnel", "serie@college.ics", text, etag=None)
    stamp = (timezone.now() + timedelta(minutes=5)).strftime("%Y%m%dT%H%M%SZ")
    cancel = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//T//T//FR\r\nMETHOD:CANCEL\r\n"
        f"BEGIN:VEVENT\r\nUID:serie@college\r\nDTSTAMP:{stamp}\r\nSEQUENCE:1\r\n"
        "RECURRENCE-ID;TZID=Europe/Paris:20261201T170000\r\n"
        "DTSTART;TZID=Europe/Paris:20261201T170000\r\nDTEND;TZID=Europe/Paris:20261201T180000\r\n"
        f"SUMMARY:Soutien 3e\r\nSTATUS:CANCELLED\r\nORGANIZER:mailto:{colleague.email}\r\n"
        f"ATTENDEE:mailto:{prof.email}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    assert inbox.receive(prof, colleague.email, cancel) == "occurrence-cancelled"
    copy = services.find_event(prof, "personnel", "serie@college.ics")
    starts = [
        o.start.day
        for o in ical.expand(
            ical.serialize(copy.parsed),
            datetime(2026, 11, 1, tzinfo=ical.local_zone()),
            datetime(2027, 1, 1, tzinfo=ical.local_zone()),
            calendar="",
            href="",
            etag="",
        )
    ]
    assert starts == [24, 8, 15]  # 1 December is gone, the others stay
    assert itip.partstat_of(master(copy.parsed), prof.email) == "ACCEPTED"
