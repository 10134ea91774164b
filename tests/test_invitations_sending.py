"""Inviting people sends real iMIP mail through the gateway: REQUEST on creation, an update
(SEQUENCE + 1) on a change, CANCEL to a removed attendee and on deletion, from the web form
and from a phone alike (the hook's task compares each change with what was sent)."""

import uuid
from datetime import timedelta
from unittest import mock

import pytest

from calendar_app import ical, imip, itip
from calendar_app.models import ScheduledEvent
from convergence import queueing
from convergence.celery import app
from mail.transport import smtp
from tests.agenda_helpers import empty_store, phone, vevent  # noqa: F401 - fixture
from tests.conftest import PASSWORD, wait_for
from tests.invitation_helpers import captured, next_tuesday, received

pytestmark = pytest.mark.usefixtures("empty_store", "mail_stack")
OUTSIDE = "parent.durand@example.org"


def _form(title: str, start, **extra) -> dict:
    end = start + timedelta(hours=1)
    return {
        "title": title, "calendar": "personnel", "location": "Salle 104",
        "start_date": start.date().isoformat(), "start_time": start.strftime("%H:%M"),
        "end_date": end.date().isoformat(), "end_time": end.strftime("%H:%M"),
        "time_zone": "Europe/Paris", "busy": "busy", "privacy": "public", "frequency": "",
        "interval": "1", "ends": "never", "monthly_by": "date", **extra,
    }  # fmt: skip


def _stored(client, title):
    from calendar_app import services
    from calendar_app.ical import master

    row = wait_for(lambda: ScheduledEvent.objects.filter(owner__username="prof.demo").first())
    event = services.find_event(row.owner, row.collection, row.href)
    assert master(event.parsed)["SUMMARY"] == title
    return event


def test_inviting_updating_removing_and_cancelling_send_imip(client, prof, colleague):
    client.force_login(prof)
    client.get("/agenda/semaine/")
    title = f"Conseil pédagogique {uuid.uuid4().hex[:6]}"
    start = next_tuesday()
    people = f"Louis Bernard <{colleague.email}>, {OUTSIDE}"
    response = client.post("/agenda/evenement/nouveau/", _form(title, start, participants=people))
    assert response.status_code == 302

    mails = wait_for(lambda: received("collegue.demo", title))
    method, request, plain, message = mails[0]
    assert method == "REQUEST" and request.method == "REQUEST"
    assert request.organizer == prof.email
    assert {p.email for p in request.attendees} == {colleague.email, OUTSIDE}
    assert all(p.partstat == "NEEDS-ACTION" for p in request.attendees)
    assert "Camille Martin vous invite" in plain and "Salle 104" in plain
    assert str(message["From"]) == f"Camille Martin <{prof.email}>"
    assert str(message["Subject"]) == f"Invitation : {title}"
    assert not request.event.walk("VALARM")
    outside = wait_for(lambda: captured(OUTSIDE, title))
    assert outside[0][0] == "REQUEST"

    # A change of time: everyone gets the update, SEQUENCE 1.
    event = _stored(client, title)
    url = f"/agenda/evenement/personnel/{event.href}/modifier/"
    later = start + timedelta(hours=2)
    client.post(url, _form(title, later, participants=people, etag=event.etag))
    first = request.sequence
    update = wait_for(lambda: [m for m in received("collegue.demo", title) if
                               m[1].sequence == first + 1])[0]  # fmt: skip
    assert update[0] == "REQUEST" and str(update[3]["Subject"]).startswith("Invitation mise à")
    assert update[1].event["DTSTART"].dt == later
    wait_for(lambda: [m for m in captured(OUTSIDE, title) if m[1].sequence == first + 1])

    # The outside attendee removed: a CANCEL to them only, nothing new to the colleague.
    event = _stored(client, title)
    client.post(url, _form(title, later, participants=colleague.email, etag=event.etag))
    cancel = wait_for(lambda: [m for m in captured(OUTSIDE, title) if m[0] == "CANCEL"])[0]
    assert [p.email for p in cancel[1].attendees] == [OUTSIDE]
    assert wait_for(lambda: ScheduledEvent.objects.get(owner=prof).attendees == [colleague.email])

    # Deleted: CANCEL to who is left.
    event = _stored(client, title)
    client.post(f"/agenda/evenement/personnel/{event.href}/supprimer/",
                {"etag": event.etag, "scope": "this"})  # fmt: skip
    cancel = wait_for(lambda: [m for m in received("collegue.demo", title) if m[0] == "CANCEL"])
    assert cancel[0][1].sequence >= first + 1
    assert str(cancel[0][3]["Subject"]) == f"Annulé : {title}"
    wait_for(lambda: not ScheduledEvent.objects.filter(owner=prof).exists())
    assert len([m for m in captured(OUTSIDE, title) if m[0] == "CANCEL"]) == 1


def test_saving_without_a_change_attendees_see_sends_nothing(client, prof, colleague):
    """An update is sent for what attendees see (time, place, title…), not for every save."""
    client.force_login(prof)
    client.get("/agenda/semaine/")
    title = f"Réunion parents {uuid.uuid4().hex[:6]}"
    start = next_tuesday(14)
    client.post("/agenda/evenement/nouveau/", _form(title, start, participants=colleague.email))
    wait_for(lambda: received("collegue.demo", title))
    row = ScheduledEvent.objects.get(owner=prof)
    event = _stored(client, title)
    client.post(f"/agenda/evenement/personnel/{event.href}/modifier/",
                _form(title, start, participants=colleague.email, etag=event.etag,
                      reminders=["15"]))  # fmt: skip
    # The task has seen the change once the row holds the new SEQUENCE the form wrote.
    wait_for(lambda: ScheduledEvent.objects.get(owner=prof).sequence > row.sequence)
    assert len(received("collegue.demo", title)) == 1


def test_an_event_with_attendees_made_on_a_phone_sends_the_invitations(live_server, prof,
                                                                       colleague):  # fmt: skip
    from dav.client import dav_session

    with dav_session("prof.demo") as store:
        store.make_calendar("personnel", "Personnel", "#000091")
    title = f"Sortie au musée {uuid.uuid4().hex[:6]}"
    start = next_tuesday(9).replace(tzinfo=None)
    fmt = "%Y%m%dT%H%M%S"
    uid = f"{uuid.uuid4()}@phone"
    text = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Apple Inc.//iOS 18//EN\r\nBEGIN:VEVENT\r\n"
        f"UID:{uid}\r\nDTSTAMP:20260901T080000Z\r\nSUMMARY:{title}\r\nSEQUENCE:0\r\n"
        f"DTSTART;TZID=Europe/Paris:{start.strftime(fmt)}\r\n"
        f"DTEND;TZID=Europe/Paris:{(start + timedelta(hours=3)).strftime(fmt)}\r\n"
        f"ORGANIZER;CN=Camille Martin:mailto:{prof.email.upper()}\r\n"
        f"ATTENDEE;CN=Camille Martin;PARTSTAT=ACCEPTED:mailto:{prof.email}\r\n"
        f"ATTENDEE;CN=Louis Bernard;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:{colleague.email}\r\n"
        f"ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:{OUTSIDE}\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    calendar = phone(live_server, "prof.demo", PASSWORD).calendar(
        url=f"{live_server.url}/dav/prof.demo/personnel/"
    )
    calendar.add_event(text)
    method, request, _, message = wait_for(lambda: received("collegue.demo", title))[0]
    assert method == "REQUEST" and request.uid == uid
    assert wait_for(lambda: captured(OUTSIDE, title))[0][0] == "REQUEST"
    assert not received("prof.demo", title)  # the organiser is not invited

    # An event on the phone organised by someone else (a copy of their invitation): no mail.
    other = f"Copie {uuid.uuid4().hex[:6]}"
    calendar.add_event(
        text.replace(uid, f"{uuid.uuid4()}@phone")
        .replace(title, other)
        .replace(f"mailto:{prof.email.upper()}", "mailto:chef@example.org")
    )
    wait_for(lambda: ScheduledEvent.objects.filter(owner=prof).count() == 1)
    assert not captured(OUTSIDE, other)


def test_moving_the_event_to_another_calendar_cancels_nothing(client, prof, colleague):
    client.force_login(prof)
    client.get("/agenda/semaine/")
    client.post("/agenda/calendriers/", {"display_name": "Conseils", "color": "#6a6af4"})
    title = f"Conseil de classe 4e A {uuid.uuid4().hex[:6]}"
    start = next_tuesday(17)
    client.post("/agenda/evenement/nouveau/", _form(title, start, participants=colleague.email))
    wait_for(lambda: received("collegue.demo", title))
    event = _stored(client, title)
    client.post(f"/agenda/evenement/personnel/{event.href}/modifier/",
                _form(title, start, participants=colleague.email, etag=event.etag,
                      calendar="conseils"))  # fmt: skip
    wait_for(lambda: ScheduledEvent.objects.get(owner=prof).collection == "conseils")
    assert [m[0] for m in received("collegue.demo", title)] == ["REQUEST"]


def test_an_imip_task_run_again_sends_nothing_more(prof, colleague, monkeypatch):
    """The broker redelivers a task whose worker died before acknowledging it (issue 17's
    «sent once»): each task queued for an invitation (imip.queue, the one way out of every
    iMIP mail) runs twice here, and the gateway gets the mail once."""
    queued = []
    monkeypatch.setattr(queueing, "_send", lambda name, args, kwargs, countdown: queued.append(
        (name, args, kwargs)))  # fmt: skip
    title = f"Conseil école-collège {uuid.uuid4().hex[:6]}"
    start = next_tuesday(11).replace(tzinfo=None)
    event = vevent(f"{uuid.uuid4()}@college", title, start, start + timedelta(hours=1),
                   f"ORGANIZER:mailto:{prof.email}\r\nATTENDEE:mailto:{colleague.email}\r\n")
    imip.queue(prof, "REQUEST", itip.outgoing(ical.parse(event), "REQUEST", sequence=0),
               [colleague.email])  # fmt: skip
    assert queued
    app.loader.import_default_modules()
    with mock.patch.object(smtp, "submit_as", wraps=smtp.submit_as) as submitted:
        for name, args, kwargs in queued * 2:
            app.tasks[name].apply(args=args, kwargs=kwargs, throw=True)
    assert submitted.call_count == 1
    wait_for(lambda: received("collegue.demo", title))
