"""Received iMIP changes the agenda as delivery stores the mail: invitations from Outlook,
Gmail and Thunderbird (fixture files as those clients send them) wait for an answer in the
attendee's agenda, a CANCEL removes the copy, a REPLY sets the attendee's answer in the
organiser's event. Only the organiser may change an event; old or replayed mail changes
nothing."""

import re
import smtplib
import uuid
from datetime import datetime
from email.utils import formatdate
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from calendar_app import imip, inbox, itip
from calendar_app.ical import master
from calendar_app.models import ReceivedItip
from dav.client import dav_session
from mail.transport import smtp
from tests.agenda_helpers import empty_store  # noqa: F401 - fixture
from tests.conftest import wait_for
from tests.invitation_helpers import outcomes, received
from tests.test_invitations_sending import _form, next_tuesday

pytestmark = pytest.mark.usefixtures("empty_store", "mail_stack")
FIXTURES = Path(__file__).parent / "fixtures" / "imip"
GMAIL_UID = "5q1n0v8c2d3e4f5g6h7i8j9k0l@google.com"


def fixture(name: str, tag: str) -> bytes:
    """The file as the client sent it, its subject tagged so the test finds its copy, dated
    now (the persona's inbox is shared with other tests, which expect nothing in the future)."""
    raw = (FIXTURES / name).read_bytes()
    raw = re.sub(rb"\r\nDate: [^\r]*", f"\r\nDate: {formatdate()}".encode(), raw, count=1)
    return raw.replace(b"\r\nSubject: ", f"\r\nSubject: [{tag}] ".encode(), 1)


def send_from_outside(raw: bytes, sender: str, to: str) -> None:
    with smtplib.SMTP(settings.GATEWAY_HOST, settings.GATEWAY_INBOUND_PORT, timeout=10) as c:
        c.sendmail(sender, [to], raw)


def copy_of(user, uid: str):
    found = inbox.locate(user, uid)
    return found and master(found.parsed)


def _ensure_calendar(user) -> None:
    with dav_session(user.username) as store:
        if not store.calendars():
            store.make_calendar("personnel", "Personnel", "#000091")


@pytest.mark.parametrize("name, organizer, uid_start, start", [
    ("outlook-request.eml", "sophie.laurent@region-occitanie.example", "040000008200E00074",
     datetime(2027, 3, 9, 14, 0, tzinfo=ZoneInfo("Europe/Paris"))),
    ("gmail-request.eml", "julie.moreau.asso@gmail.example", "5q1n0v8c",
     datetime(2027, 3, 10, 8, 0, tzinfo=ZoneInfo("Europe/Paris"))),
    ("thunderbird-request.eml", "p.garnier@mediatheque-colomiers.example", "8f3c2a1b",
     datetime(2027, 3, 11, 17, 0, tzinfo=ZoneInfo("Europe/Paris"))),
])  # fmt: skip
def test_an_invitation_from_outside_waits_for_an_answer_in_the_agenda(
    prof, name, organizer, uid_start, start
):
    _ensure_calendar(prof)
    tag = uuid.uuid4().hex[:8]
    send_from_outside(fixture(name, tag), organizer, prof.email)
    event = wait_for(lambda: next((e for e in _all_events(prof)
                                   if str(e["UID"]).startswith(uid_start)), None))  # fmt: skip
    assert itip.organizer_of(event) == organizer
    assert itip.partstat_of(event, prof.email) == "NEEDS-ACTION"
    assert event["DTSTART"].dt == start
    assert wait_for(lambda: [m for m in _inbox_subjects(prof) if tag in m])  # mail stored too


def _all_events(user):
    with dav_session(user.username) as store:
        names = [c.name for c in store.calendars()]
        texts = [r.text for name in names for r in store.all_resources(name)]
    from calendar_app.ical import parse

    return [master(parse(t)) for t in texts]


def _inbox_subjects(user):
    from tests.conftest import inbox_subjects

    return inbox_subjects(user.username)


def test_a_cancel_removes_the_copy_and_older_or_replayed_mail_changes_nothing(prof):
    _ensure_calendar(prof)
    organizer = "julie.moreau.asso@gmail.example"
    send_from_outside(fixture("gmail-request.eml", "a"), organizer, prof.email)
    wait_for(lambda: copy_of(prof, GMAIL_UID))
    send_from_outside(fixture("gmail-cancel.eml", "b"), organizer, prof.email)
    wait_for(lambda: not copy_of(prof, GMAIL_UID))
    # The invitation again (SEQUENCE 0 < 1): stays cancelled.
    before = outcomes("already-applied")
    send_from_outside(fixture("gmail-request.eml", "c"), organizer, prof.email)
    wait_for(lambda: outcomes("already-applied") > before)
    assert not copy_of(prof, GMAIL_UID)
    assert ReceivedItip.objects.get(owner=prof, uid=GMAIL_UID).sequence == 1


def _delivered_count(user, tag):
    return len([s for s in _inbox_subjects(user) if tag in s])


def test_only_the_organiser_may_change_an_event(prof):
    _ensure_calendar(prof)
    organizer = "julie.moreau.asso@gmail.example"
    send_from_outside(fixture("gmail-request.eml", "d"), organizer, prof.email)
    first = wait_for(lambda: copy_of(prof, GMAIL_UID))
    # Someone else sends a «newer» version of the same event: not applied.
    forged = fixture("gmail-request.eml", "e").replace(
        b"From: Julie Moreau <julie.moreau.asso@gmail.example>", b"From: x@evil.example"
    )
    before = outcomes("not-from-organizer")
    send_from_outside(forged, "x@evil.example", prof.email)
    wait_for(lambda: outcomes("not-from-organizer") > before)
    assert copy_of(prof, GMAIL_UID)["DTSTAMP"].dt == first["DTSTAMP"].dt
    # An outside server cannot speak for one of our addresses.
    spoof = fixture("gmail-request.eml", "f").replace(
        b"julie.moreau.asso@gmail.example", b"collegue.demo@ac-demo.test"
    )
    send_from_outside(spoof, "collegue.demo@ac-demo.test", prof.email)
    wait_for(lambda: _delivered_count(prof, "[f]") == 1)
    assert itip.organizer_of(copy_of(prof, GMAIL_UID)) == organizer


def test_internal_invitation_and_answer_reach_both_agendas_at_once(client, prof, colleague):
    client.force_login(prof)
    client.get("/agenda/semaine/")
    _ensure_calendar(colleague)
    title = f"Conseil de classe 3e B {uuid.uuid4().hex[:6]}"
    client.post("/agenda/evenement/nouveau/",
                _form(title, next_tuesday(16), participants=colleague.email))  # fmt: skip
    request = wait_for(lambda: received("collegue.demo", title))[0][1]
    # Delivered: the colleague's agenda has it, waiting for an answer.
    copy = wait_for(lambda: copy_of(colleague, request.uid))
    assert itip.partstat_of(copy, colleague.email) == "NEEDS-ACTION"
    assert str(copy["SUMMARY"]) == title

    # The colleague's answer, as their webmail sends it: the organiser's event shows it.
    answer = itip.reply(request.calendar, itip.Person(colleague.email, "Louis Bernard",
                                                      "ACCEPTED"))  # fmt: skip
    raw = imip.build(colleague, "REPLY", answer, [prof.email], partstat="ACCEPTED")
    smtp.submit_as("collegue.demo", raw, mail_from=colleague.email, recipients=[prof.email])
    wait_for(lambda: itip.partstat_of(copy_of(prof, request.uid), colleague.email)
             == "ACCEPTED")  # fmt: skip
    before = inbox.locate(prof, request.uid).etag
    replays = outcomes("already-applied")
    # The same mail again by another route: other bytes, so the gateway's resend check
    # (same Message-ID and bytes, a sender that missed the 250) lets it through.
    again = b"Received: from relais-b.example by mx.example; Mon, 7 Dec 2026 08:00:00 +0100\r\n"
    smtp.submit_as("collegue.demo", again + raw, mail_from=colleague.email,
                   recipients=[prof.email])  # fmt: skip
    wait_for(lambda: outcomes("already-applied") > replays)  # the replay delivered…
    assert inbox.locate(prof, request.uid).etag == before  # …and changed nothing

    # A REPLY can only change its sender's own answer.
    forged = itip.reply(request.calendar, itip.Person(prof.email, "", "DECLINED"))
    raw = imip.build(colleague, "REPLY", forged, [prof.email], partstat="DECLINED")
    refused = outcomes("not-from-attendee")
    smtp.submit_as("collegue.demo", raw, mail_from=colleague.email, recipients=[prof.email])
    wait_for(lambda: outcomes("not-from-attendee") > refused)
    event = copy_of(prof, request.uid)
    assert itip.partstat_of(event, colleague.email) == "ACCEPTED"
    assert itip.partstat_of(event, prof.email) == ""
