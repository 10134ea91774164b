"""The message page shows calendar data as an event card: an invitation with its conflict
warning and «Accepter», «Peut-être», «Refuser» (a comment, another time), an answer with the
counters, a plain .ics with «Ajouter à mon agenda»; hostile data is a French sentence."""

import uuid
from datetime import datetime
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from calendar_app import itip
from dav.client import dav_session
from tests.agenda_helpers import empty_store  # noqa: F401 - fixture
from tests.conftest import build_message, deliver, wait_for
from tests.invitation_helpers import captured
from tests.test_invitations_receiving import (
    GMAIL_UID,
    _ensure_calendar,
    copy_of,
    fixture,
    send_from_outside,
)

pytestmark = pytest.mark.usefixtures("empty_store", "mail_stack")
JULIE = "julie.moreau.asso@gmail.example"
PARIS = ZoneInfo("Europe/Paris")


def _uid_with(user, tag: str) -> int:
    from mail.imap import imap_session

    with imap_session(user.username) as box:
        page = box.list_page("INBOX", page=1, page_size=500)
    return next(e.uid for e in page.envelopes if tag in e.subject)


def _page(client, user, tag):
    uid = wait_for(lambda: _safe_uid(user, tag))
    from mail.models import Mailbox

    mailbox = Mailbox.objects.get(owner=user)
    response = client.get(reverse("mail:message", args=[mailbox.id, "INBOX", uid]))
    assert response.status_code == 200
    return response.content.decode(), mailbox, uid


def _safe_uid(user, tag):
    try:
        return _uid_with(user, tag)
    except StopIteration:
        return None


def test_an_invitation_shows_as_a_card_and_is_answered_from_it(client, prof):
    _ensure_calendar(prof)
    with dav_session("prof.demo") as store:  # something already at that time
        store.put("personnel", "cours.ics", (
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//T//T//FR\r\nBEGIN:VEVENT\r\n"
            "UID:cours@test\r\nDTSTAMP:20270101T000000Z\r\nSUMMARY:Cours 2nde B\r\n"
            "DTSTART;TZID=Europe/Paris:20270310T083000\r\n"
            "DTEND;TZID=Europe/Paris:20270310T093000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"),
            etag=None)  # fmt: skip
    tag = uuid.uuid4().hex[:8]
    send_from_outside(fixture("gmail-request.eml", tag), JULIE, prof.email)
    client.force_login(prof)
    html, mailbox, uid = _page(client, prof, tag)
    assert "Kermesse - réunion des parents bénévoles" in html
    assert "Salle des fêtes de Colomiers" in html and "Organisateur" in html
    assert "Julie Moreau &lt;julie.moreau.asso@gmail.example&gt;" in html
    assert "mercredi 10 mars 2027, 08:00 – 09:00" in html
    assert "Vous avez déjà à cette heure-là" in html and "Cours 2nde B (08:30–09:30)" in html
    assert "Dans votre agenda, en attente de votre réponse." in html  # the stage put it there
    for button in ("Accepter", "Peut-être", "Refuser", "Proposer un autre horaire"):
        assert button in html

    response = client.post("/agenda/invitation/repondre/", {
        "boite": mailbox.id, "dossier": "INBOX", "uid": uid, "reponse": "TENTATIVE",
        "commentaire": "Je serai peut-être en retard", "date": "2027-03-10", "debut": "17:00",
        "fin": "18:00"})  # fmt: skip
    assert response.status_code == 302
    assert itip.partstat_of(copy_of(prof, GMAIL_UID), prof.email) == "TENTATIVE"
    reply = wait_for(lambda: [m for m in captured(JULIE, "Kermesse") if m[0] == "REPLY"])[0]
    assert [(p.email, p.partstat) for p in reply[1].attendees] == [(prof.email, "TENTATIVE")]
    assert str(reply[1].event["COMMENT"]) == "Je serai peut-être en retard"
    assert str(reply[3]["Subject"]).startswith("Peut-être : Kermesse")
    counter = wait_for(lambda: [m for m in captured(JULIE, "Kermesse") if m[0] == "COUNTER"])[0]
    assert counter[1].event["DTSTART"].dt == datetime(2027, 3, 10, 17, tzinfo=PARIS)

    html, _, _ = _page(client, prof, tag)
    assert "Vous avez répondu «peut-être»." in html

    # Declining takes it out of the agenda.
    client.post(
        "/agenda/invitation/repondre/",
        {"boite": mailbox.id, "dossier": "INBOX", "uid": uid, "reponse": "DECLINED"},
    )
    assert not copy_of(prof, GMAIL_UID)


def test_someone_elses_message_cannot_be_answered(client, prof, colleague):
    _ensure_calendar(prof)
    tag = uuid.uuid4().hex[:8]
    send_from_outside(fixture("gmail-request.eml", tag), JULIE, prof.email)
    uid = wait_for(lambda: _safe_uid(prof, tag))
    from mail.models import Mailbox

    client.force_login(colleague)
    response = client.post("/agenda/invitation/repondre/", {
        "boite": Mailbox.objects.get(owner=prof).id, "dossier": "INBOX", "uid": uid,
        "reponse": "ACCEPTED"})  # fmt: skip
    assert response.status_code == 404


def test_a_plain_ics_is_a_readable_event_to_add(client, prof):
    tag = uuid.uuid4().hex[:8]
    message = build_message(to=prof.email, subject=f"Planning {tag}", body="Ci-joint.")
    message.add_attachment((
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//T//T//FR\r\nBEGIN:VEVENT\r\n"
        "UID:portes-ouvertes@lycee.example\r\nDTSTAMP:20270101T000000Z\r\n"
        "SUMMARY:Journée portes ouvertes\r\nLOCATION:Hall A\r\n"
        "DTSTART;VALUE=DATE:20270320\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n").encode(),
        maintype="text", subtype="calendar", filename="portes-ouvertes.ics")  # fmt: skip
    deliver(prof, message)
    client.force_login(prof)
    html, mailbox, uid = _page(client, prof, tag)
    assert "Journée portes ouvertes" in html and "samedi 20 mars 2027" in html
    assert "Hall A" in html and "Accepter" not in html
    link = f"/agenda/importer/?boite={mailbox.id}&amp;dossier=INBOX&amp;uid={uid}&amp;partie="
    assert link in html and "Ajouter à mon agenda" in html


@pytest.mark.parametrize("calendar", [
    b"BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nDTSTART:garbage\r\nUID:x\r\n"
    b"END:VEVENT\r\nEND:VCALENDAR\r\n",
    b"\x00\xff\xfe not a calendar at all <script>alert(1)</script>",
    b"BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nBEGIN:VTODO\r\nUID:x\r\nEND:VTODO\r\nEND:VCALENDAR\r\n",
    b"BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\n" + b"BEGIN:VEVENT\r\n" * 5000,
    b"BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTAMP:20270101T000000Z\r\n"
    b"END:VEVENT\r\nEND:VCALENDAR\r\n",
])  # fmt: skip
def test_hostile_calendar_data_is_a_french_sentence(client, prof, calendar):
    tag = uuid.uuid4().hex[:8]
    message = EmailMessage()
    message["From"] = "x@evil.example"
    message["To"] = prof.email
    message["Subject"] = f"Invitation {tag}"
    message.set_content("Bonjour")
    message.add_alternative(calendar, maintype="text", subtype="calendar",
                            params={"method": "REQUEST"})  # fmt: skip
    deliver(prof, message)
    client.force_login(prof)
    html, _, _ = _page(client, prof, tag)
    assert "<script>alert(1)</script>" not in html
    assert "données d’agenda illisibles" in html or "Cette réponse ne nomme personne" in html


def test_the_organiser_sees_each_answer_and_the_counters(client, prof, colleague):
    from tests.test_invitations_sending import _form, next_tuesday

    client.force_login(prof)
    client.get("/agenda/semaine/")
    _ensure_calendar(colleague)
    title = f"Conseil pédagogique {uuid.uuid4().hex[:6]}"
    people = f"{colleague.email}, a@example.org, b@example.org"
    client.post("/agenda/evenement/nouveau/", _form(title, next_tuesday(), participants=people))
    from tests.invitation_helpers import received

    request = wait_for(lambda: received("collegue.demo", title))[0][1]
    wait_for(lambda: copy_of(colleague, request.uid))
    client.force_login(colleague)
    week = client.get(f"/agenda/semaine/?date={next_tuesday().date().isoformat()}")
    assert "Invitation : en attente de votre réponse" in week.content.decode()
    html, mailbox, uid = _page(client, colleague, title)
    client.post(
        "/agenda/invitation/repondre/",
        {"boite": mailbox.id, "dossier": "INBOX", "uid": uid, "reponse": "ACCEPTED"},
    )
    wait_for(lambda: itip.partstat_of(copy_of(prof, request.uid), colleague.email) == "ACCEPTED")
    client.force_login(prof)
    html, _, _ = _page(client, prof, f"Accepté : {title}")
    assert "Réponse à une invitation" in html and "1 accepté, 0 refusé, 2 sans réponse" in html
    from calendar_app.inbox import locate

    event = locate(prof, request.uid)
    detail = client.get(f"/agenda/evenement/{event.calendar}/{event.href}/").content.decode()
    assert "1 accepté, 0 refusé, 2 sans réponse" in detail and "Louis Bernard" in detail

    # «Proposer un autre horaire»: the organiser's card shows the time and where to change it.
    client.force_login(colleague)
    client.post("/agenda/invitation/repondre/", {
        "boite": mailbox.id, "dossier": "INBOX", "uid": uid, "reponse": "TENTATIVE",
        "date": "2027-01-12", "debut": "14:00", "fin": "15:00"})  # fmt: skip
    client.force_login(prof)
    html, _, _ = _page(client, prof, f"Nouvel horaire proposé : {title}")
    assert "Autre horaire proposé" in html and "mardi 12 janvier 2027, 14:00 – 15:00" in html
    assert f"/agenda/evenement/{event.calendar}/{event.href}/modifier/" in html

