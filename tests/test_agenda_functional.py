"""Functional calendars (#14) from the mailbox's own pages and in iTIP: whoever manages the vie
scolaire mailbox creates its calendar from the mailbox («Créer l'agenda de cette boîte»),
its readers then find «Ouvrir l'agenda»; the calendar's invitations come from the mailbox's
address, and the answers mailed to that address reach the calendar's event."""

import uuid

import pytest
from caldav.lib import error
from django.urls import reverse

from calendar_app import functional, ical, imip, inbox, itip
from calendar_app.ical import master
from calendar_app.models import FunctionalCalendar, ScheduledEvent
from dav.client import dav_session
from mail.imap import imap_session
from mail.models import Mailbox
from mail.transport import smtp
from tests.agenda_helpers import all_at_once, empty_store, phone, vevent  # noqa: F401 - fixture
from tests.conftest import PASSWORD, wait_for
from tests.invitation_helpers import next_tuesday, received
from tests.shared_mailbox_setup import grant, secretary, shared_box  # noqa: F401 - fixtures
from tests.test_invitations_receiving import _ensure_calendar, copy_of
from tests.test_invitations_sending import _form

pytestmark = pytest.mark.usefixtures("empty_store", "mail_stack")
CREATE = "Créer l’agenda de cette boîte"
OPEN = "Ouvrir l’agenda"


def _uid_of(mailbox, title: str) -> int | None:
    with imap_session(mailbox.imap_user) as box:
        envelopes = box.list_page("INBOX", page=1, page_size=500).envelopes
    return next((e.uid for e in envelopes if title in e.subject), None)


def _managed_calendar(client, secretary, shared_box):
    """The mailbox's calendar, created by its manager, ``secretary``, signed in on
    ``client``; returns the calendar's service account."""
    grant(shared_box, secretary, can_read=True, can_manage=True)
    client.force_login(secretary)
    client.post(reverse("calendar_app:functional_create", args=[shared_box.id]))
    return FunctionalCalendar.objects.get(mailbox=shared_box).account


def test_a_manager_creates_the_mailbox_calendar_and_its_readers_open_it(
        client, prof, colleague, secretary, shared_box):  # fmt: skip
    grant(shared_box, secretary, can_read=True, can_manage=True)
    grant(shared_box, colleague, can_read=True)
    page = reverse("shared_mailboxes:assigned", args=[shared_box.id])
    create = reverse("calendar_app:functional_create", args=[shared_box.id])
    client.force_login(colleague)
    assert CREATE not in client.get(page).content.decode()
    assert client.post(create).status_code == 403  # a reader may not
    client.force_login(prof)
    assert client.post(create).status_code == 404  # nor someone without any right on it
    own = Mailbox.objects.get(owner=prof)
    assert client.post(reverse("calendar_app:functional_create", args=[own.id])).status_code == 404
    assert not FunctionalCalendar.objects.exists()

    client.force_login(secretary)
    shown = client.get(page).content.decode()
    assert CREATE in shown and f'action="{create}"' in shown and OPEN not in shown
    assert client.get(create).status_code == 405
    response = client.post(create)
    assert response.status_code == 302 and response["Location"] == reverse("calendar_app:week")
    account = FunctionalCalendar.objects.get(mailbox=shared_box).account
    with dav_session(account.username) as store:
        assert [c.name for c in store.calendars() if not c.name.startswith("lecture--")] == [
            "vie-scolaire"]
    week = client.get(response["Location"]).content.decode()
    assert "Agenda de Vie scolaire – Lycée créé." in week and "Vie scolaire – Lycée" in week
    client.post(create)  # twice: still one calendar
    assert FunctionalCalendar.objects.count() == 1
    for person in (secretary, colleague):
        client.force_login(person)
        shown = client.get(page).content.decode()
        assert OPEN in shown and CREATE not in shown


def test_the_mailbox_calendar_is_listed_on_its_people_phones(live_server, client, colleague,
                                                             secretary, shared_box):  # fmt: skip
    """Its manager's phone lists the calendar itself, a reader's its filtered copy."""
    account = _managed_calendar(client, secretary, shared_box)
    grant(shared_box, colleague, can_read=True)
    listed = f"partage--{account.username}--vie-scolaire"
    found = {}
    for person in (secretary, colleague):
        calendars = phone(live_server, person.username, PASSWORD).principal().calendars()
        found[person.username] = {str(c.url).rstrip("/").rsplit("/", 1)[-1]: c
                                  for c in calendars}  # fmt: skip
        assert listed in found[person.username]
    found["secretariat.demo"][listed].add_event(vevent(
        "from-phone@vs", "Conseil de discipline", next_tuesday(10), next_tuesday(11)))
    copy = found["collegue.demo"][listed]
    assert wait_for(lambda: any("Conseil de discipline" in e.data
                                for e in copy.search(event=True)))  # fmt: skip
    with pytest.raises(error.DAVError):  # a reader: read only
        copy.add_event(vevent("x@vs", "Intrus", next_tuesday(10), next_tuesday(11)))


def test_the_mailbox_calendar_made_twice_at_once_is_made_once(secretary, shared_box):
    """Two managers click «Créer l'agenda de cette boîte» at the same moment."""
    account = functional.ensure_calendar(shared_box).account
    for _ in range(3):
        FunctionalCalendar.objects.filter(mailbox=shared_box).delete()
        with dav_session(account.username) as store:
            for calendar in store.calendars():
                store.delete_calendar(calendar.name)
        done = all_at_once(functional.ensure_calendar, [(shared_box,), (shared_box,)])
        assert done == []
        assert FunctionalCalendar.objects.get(mailbox=shared_box).account == account
        with dav_session(account.username) as store:
            assert sorted(c.name for c in store.calendars()) == [
                "lecture--vie-scolaire", "vie-scolaire"]


def test_the_calendar_invites_from_the_mailbox_address_and_its_answers_come_back(
        client, colleague, secretary, shared_box):  # fmt: skip
    account = _managed_calendar(client, secretary, shared_box)
    _ensure_calendar(colleague)
    title = f"Commission éducative {uuid.uuid4().hex[:6]}"
    client.post(f"/agenda/partage/{account.username}/vie-scolaire/nouveau/",
                _form(title, next_tuesday(15), calendar="vie-scolaire",
                      participants=colleague.email))  # fmt: skip
    method, request, _plain, message = wait_for(lambda: received("collegue.demo", title))[0]
    assert method == "REQUEST" and request.organizer == shared_box.address
    assert shared_box.address in message["From"]

    # The colleague accepts from their webmail: the answer goes to the mailbox's address and
    # the functional calendar's event shows it.
    answer = itip.reply(request.calendar, itip.Person(colleague.email, "Louis Bernard",
                                                      "ACCEPTED"))  # fmt: skip
    raw = imip.build(colleague, "REPLY", answer, [shared_box.address], partstat="ACCEPTED")
    smtp.submit_as("collegue.demo", raw, mail_from=colleague.email,
                   recipients=[shared_box.address])  # fmt: skip
    wait_for(lambda: itip.partstat_of(copy_of(account, request.uid), colleague.email)
             == "ACCEPTED")  # fmt: skip
    # Its own invitation, mailed back to it, is not an invitation to it.
    assert inbox.receive(account, shared_box.address,
                         ical.serialize(request.calendar)) == "not-from-organizer"  # fmt: skip


def test_an_invitation_to_the_mailbox_waits_in_its_calendar_for_its_managers_answer(
        client, colleague, secretary, shared_box):  # fmt: skip
    """A colleague invites the vie scolaire: the invitation is in its calendar at once,
    the mailbox's manager answers it from the message or the agenda, the answer leaves from
    the mailbox's address, and the cancellation takes it out."""
    account = _managed_calendar(client, secretary, shared_box)
    _ensure_calendar(colleague)
    title = f"Équipe éducative {uuid.uuid4().hex[:6]}"
    client.force_login(colleague)
    client.post("/agenda/evenement/nouveau/",
                _form(title, next_tuesday(16), participants=shared_box.address))  # fmt: skip
    uid = wait_for(lambda: ScheduledEvent.objects.filter(owner=colleague).first()).uid
    copy = wait_for(lambda: inbox.locate(account, uid))
    assert copy.calendar == "vie-scolaire"
    assert itip.partstat_of(master(copy.parsed), shared_box.address) == "NEEDS-ACTION"

    # The message in the mailbox offers its manager to answer for it, in its calendar.
    message_uid = wait_for(lambda: _uid_of(shared_box, title))
    client.force_login(secretary)
    page = client.get(reverse("mail:message", args=[shared_box.id, "INBOX", message_uid]))
    answer_page = reverse("calendar_app:shared_event",
                          args=[account.username, copy.calendar, copy.href])  # fmt: skip
    assert f'href="{answer_page}"' in page.content.decode()
    assert "Répondre pour le compte de Vie scolaire" in client.get(answer_page).content.decode()
    client.post(reverse("calendar_app:shared_answer",
                        args=[account.username, copy.calendar, copy.href]),
                {"reponse": "ACCEPTED"})  # fmt: skip
    assert itip.partstat_of(copy_of(account, uid), shared_box.address) == "ACCEPTED"
    reply = wait_for(lambda: [m for m in received("collegue.demo", title) if m[0] == "REPLY"])
    assert shared_box.address in reply[0][3]["From"]
    wait_for(lambda: itip.partstat_of(copy_of(colleague, uid), shared_box.address)
             == "ACCEPTED")  # fmt: skip

    # The organiser deletes the event: the CANCEL takes it out of the mailbox's calendar.
    row = ScheduledEvent.objects.get(owner=colleague, uid=uid)
    with dav_session(colleague.username) as store:
        store.delete(row.collection, row.href, etag=store.get(row.collection, row.href).etag)
    wait_for(lambda: inbox.locate(account, uid) is None)
