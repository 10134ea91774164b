"""Delegation (#14): a secretary answers an invitation for the principal — the principal's copy
gets the answer, the REPLY carries SENT-BY, the mail says «pour le compte de», the audit log
has it — and the organiser's agenda believes it only while the delegation is in force.
Functional calendars: the vie scolaire mailbox's calendar follows the mailbox's rights."""

import re
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from accounts.models import AccountEvent, User
from calendar_app import (
    delegation,
    functional,
    ical,
    imip,
    inbox,
    itip,
    services,
    share_access,
    sharing,
)
from calendar_app.ical import master
from calendar_app.models import CalendarShare, Level, ScheduledEvent
from dav.client import DavConflict, dav_session
from mail.models import Mailbox, MailboxMember, OutgoingMessage
from mail.outgoing import sending
from shared_mailboxes.models import RoleGrant
from tests.agenda_helpers import empty_store, phone, vevent  # noqa: F401 - fixture
from tests.conftest import PASSWORD, make_person
from tests.invitation_helpers import calendar_part

pytestmark = pytest.mark.usefixtures("empty_store")
INVITATION = "/agenda/partage/prof.demo/personnel/evenement/conseil@lycee.ics/"


@pytest.fixture
def secretary(transactional_db):
    return make_person("secretaire.demo", User.Category.ADMIN_STAFF, first_name="Sophie",
                       last_name="Petit")  # fmt: skip


@pytest.fixture
def invited(prof, colleague):
    """Louis invites Camille; her copy waits for an answer in her agenda, as inbox puts it."""
    people = (f"ORGANIZER;CN=Louis Bernard:mailto:{colleague.email}\r\n"
              f"ATTENDEE;PARTSTAT=NEEDS-ACTION;CN=Camille Martin:mailto:{prof.email}\r\n")
    text = vevent("conseil@lycee", "Conseil d'administration", datetime(2026, 11, 24, 17),
                  datetime(2026, 11, 24, 19), people)  # fmt: skip
    # Sent already: the sync of Louis's copy sends no REQUEST, which the worker would deliver
    # into Camille's agenda in the middle of a test (CI saw a copy moved back to 17:00).
    ScheduledEvent.objects.create(owner=colleague, uid="conseil@lycee", collection="personnel",
                                  href="conseil@lycee.ics", sequence=0, attendees=[prof.email],
                                  fingerprint=itip.fingerprint(ical.parse(text)), sent=text)
    for person in (prof, colleague):
        services.calendars_of(person)
        with dav_session(person.username) as store:
            store.put("personnel", "conseil@lycee.ics", text, etag=None)
    return text


@pytest.fixture
def sent(monkeypatch):
    """The answers (iMIP REPLYs) recorded for the worker, as (login, From, recipients, mail),
    not sent from here (the gateway's part is tested elsewhere). A worker running for other
    tests may record the organiser's REQUEST: not an answer."""
    monkeypatch.setattr(sending, "enqueue_on_commit", lambda *args, **kwargs: None)
    return lambda: [(row.user.username, row.mail_from, row.recipients, bytes(row.raw).decode())
                    for row in OutgoingMessage.objects.filter(kind="imip").order_by("id")
                    if calendar_part(bytes(row.raw))[0] == "REPLY"]  # fmt: skip


def _delegate(prof, secretary, days: int = 7) -> CalendarShare:
    return sharing.grant(prof, prof, "personnel", user=secretary, level=Level.WRITE,
                         may_answer=True, ends_at=timezone.now() + timedelta(days=days))


def test_the_secretary_answers_for_the_principal(client, prof, colleague, secretary, invited,
                                                 sent):  # fmt: skip
    _delegate(prof, secretary)
    client.force_login(secretary)
    page = client.get(INVITATION).content.decode()
    assert "Répondre pour le compte de Camille Martin" in page
    response = client.post(f"{INVITATION}repondre/", {"reponse": "ACCEPTED"})
    assert response.status_code == 302
    copy = services.find_event(prof, "personnel", "conseil@lycee.ics")
    assert itip.partstat_of(master(copy.parsed), prof.email) == "ACCEPTED"
    (login, mail_from, recipients, raw), = sent()
    assert (login, mail_from, recipients) == ("secretaire.demo", secretary.email,
                                              [colleague.email])  # fmt: skip
    method, text, plain, message = calendar_part(raw.encode())
    assert method == "REPLY" and "Sophie Petit" in message["From"]
    assert f'SENT-BY="mailto:{secretary.email}"' in re.sub(r"\r?\n[ \t]", "", text)
    assert "pour le compte de Camille Martin" in plain
    event = AccountEvent.objects.filter(user=prof, actor=secretary,
                                        details__action="answered").get()  # fmt: skip
    assert event.details["answer"] == "ACCEPTED"
    # The organiser's agenda takes the answer from the delegate: her line, not the sender's.
    assert inbox.receive(colleague, secretary.email, text) == "answer-recorded"
    organised = services.find_event(colleague, "personnel", "conseil@lycee.ics")
    assert itip.partstat_of(master(organised.parsed), prof.email) == "ACCEPTED"


def _mailed(text: str, minutes: int) -> str:
    """The organiser's REQUEST for ``text``, stamped later than any the worker may have sent
    for it meanwhile (the hook's task mails it to Camille when the worker runs)."""
    request = itip.outgoing(ical.parse(text), "REQUEST", sequence=0)
    master(request).pop("DTSTAMP")
    master(request).add("DTSTAMP", timezone.now() + timedelta(minutes=minutes))
    return ical.serialize(request)


def test_the_invitations_mail_arriving_while_the_secretary_answers_changes_nothing(
        prof, colleague, secretary, invited, sent):  # fmt: skip
    """The organiser's invitation reaches Camille's agenda by mail (the worker) while her
    secretary answers from the page: the same event is not written again, so the answer
    stands (before, it was refused as «changed elsewhere»)."""
    _delegate(prof, secretary)
    read = services.find_event(prof, "personnel", "conseil@lycee.ics")  # the page's copy
    assert inbox.receive(prof, colleague.email, _mailed(invited, minutes=1)) == "unchanged"
    assert delegation.answer_for(secretary, prof, read, "ACCEPTED") == colleague.email
    copy = services.find_event(prof, "personnel", "conseil@lycee.ics")
    assert itip.partstat_of(master(copy.parsed), prof.email) == "ACCEPTED"
    assert len(sent()) == 1
    # The same invitation mailed again later: her answer stays as it is.
    assert inbox.receive(prof, colleague.email, _mailed(invited, minutes=2)) == "unchanged"
    assert services.find_event(prof, "personnel", "conseil@lycee.ics").etag == copy.etag


def test_an_answer_given_as_the_copy_changes_is_merged_unless_the_event_changed(
        prof, colleague, secretary, invited, sent):  # fmt: skip
    """A rewrite that was needed (her phone adds an alarm) does not refuse the secretary's
    answer: it goes on the copy as it is now. A new time meanwhile does: the answer was
    about the old one, and nothing is sent."""
    _delegate(prof, secretary)
    read = services.find_event(prof, "personnel", "conseil@lycee.ics")
    alarm = ("BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:Rappel\r\nTRIGGER:-PT15M\r\n"
             "END:VALARM\r\n")
    with dav_session(prof.username) as store:
        store.put("personnel", "conseil@lycee.ics",
                  invited.replace("END:VEVENT", alarm + "END:VEVENT"), etag=read.etag)
    delegation.answer_for(secretary, prof, read, "TENTATIVE")
    copy = services.find_event(prof, "personnel", "conseil@lycee.ics")
    assert itip.partstat_of(master(copy.parsed), prof.email) == "TENTATIVE"
    assert master(copy.parsed).walk("VALARM") and len(sent()) == 1

    moved = copy.parsed.to_ical().decode().replace("T170000", "T180000")
    with dav_session(prof.username) as store:
        store.put("personnel", "conseil@lycee.ics", moved, etag=copy.etag)
    with pytest.raises(DavConflict):
        delegation.answer_for(secretary, prof, copy, "DECLINED")
    assert len(sent()) == 1


def test_no_answer_on_behalf_without_a_delegation_in_force(client, prof, colleague,
                                                           secretary, invited, sent):  # fmt: skip
    share = sharing.grant(prof, prof, "personnel", user=secretary, level=Level.WRITE)
    client.force_login(secretary)
    assert "pour le compte" not in client.get(INVITATION).content.decode()
    client.post(f"{INVITATION}repondre/", {"reponse": "DECLINED"})
    assert sent() == []
    sharing.revoke(prof, share)
    delegation = _delegate(prof, secretary)
    client.post(f"{INVITATION}repondre/", {"reponse": "TENTATIVE"})
    (*_, raw), = sent()
    reply = calendar_part(raw.encode())[1]
    CalendarShare.objects.filter(pk=delegation.pk).update(ends_at=timezone.now())
    assert inbox.receive(colleague, secretary.email, reply) == "not-from-attendee"
    assert client.get(INVITATION).status_code == 404  # the end date: no access at all
    actions = list(AccountEvent.objects.filter(user=prof, kind=AccountEvent.Kind.AGENDA_SHARING)
                   .order_by("id").values_list("details__action", flat=True))  # fmt: skip
    assert actions == ["granted", "revoked", "granted", "answered"]


def test_a_functional_calendar_follows_the_mailbox_rights(live_server, client, prof, colleague,
                                                          secretary):  # fmt: skip
    mailbox = Mailbox.objects.create(address="vie-scolaire.0311234y@ac-demo.test",
                                     imap_user="vie-scolaire.0311234y", kind="functional",
                                     display_name="Vie scolaire", etablissement=prof.etablissement)
    functional.ensure_calendar(mailbox)
    account = mailbox.functional_calendar.account
    with dav_session(account.username) as store:
        store.put("vie-scolaire", "e@x.ics", vevent(
            "e@x", "Conseil de discipline", datetime(2026, 11, 16, 9), datetime(2026, 11, 16, 10),
            "CLASS:PRIVATE\r\n"), etag=None)  # fmt: skip
        store.put("vie-scolaire", "f@x.ics", vevent(
            "f@x", "Sortie au musée", datetime(2026, 11, 17, 9), datetime(2026, 11, 17, 10)),
            etag=None)  # fmt: skip
    from calendar_app.index import reindex_collection

    reindex_collection(account.username, "vie-scolaire")
    assert share_access.level(colleague, account, "vie-scolaire") == ""
    MailboxMember.objects.create(mailbox=mailbox, user=colleague, can_read=True)
    RoleGrant.objects.create(mailbox=mailbox, category=User.Category.ADMIN_STAFF,
                             etablissement=prof.etablissement, can_read=True, can_manage=True)
    assert share_access.level(colleague, account, "vie-scolaire") == Level.READ
    assert share_access.level(secretary, account, "vie-scolaire") == Level.WRITE
    client.force_login(colleague)
    week = client.get("/agenda/vue/semaine/?date=2026-11-16").content.decode()
    assert "Vie scolaire" in week and "Sortie au musée" in week
    assert "Conseil de discipline" not in week and "Occupé" in week
    url = f"{live_server.url}/dav/{account.username}/"
    copy = phone(live_server, "collegue.demo", PASSWORD).calendar(
        url=f"{url}lecture--vie-scolaire/")
    joined = "\n".join(e.data for e in copy.search(event=True))
    assert "Sortie au musée" in joined and "Conseil de discipline" not in joined
    role = phone(live_server, "secretaire.demo", PASSWORD).calendar(url=f"{url}vie-scolaire/")
    role.add_event(vevent("g@x", "Réunion CPE", datetime(2026, 11, 18, 9),
                          datetime(2026, 11, 18, 10)))  # fmt: skip
    MailboxMember.objects.filter(user=colleague).delete()
    assert client.get("/agenda/vue/semaine/?date=2026-11-16").content.decode().count(
        "Sortie au musée") == 0


def test_the_card_in_the_principals_mailbox_leads_the_delegate_to_the_answer(
        prof, colleague, secretary, invited):  # fmt: skip
    from calendar_app import ical
    from calendar_app.card import card_for

    request = itip.outgoing(ical.parse(invited), "REQUEST", sequence=0)
    raw = imip.build(colleague, "REQUEST", request, [prof.email])
    assert card_for(secretary, raw, personal=False, owner=prof).extra["on_behalf"] is None
    _delegate(prof, secretary)
    card = card_for(secretary, raw, personal=False, owner=prof)
    assert not card.answerable  # not the secretary's own invitation
    assert card.extra["on_behalf"] == {"owner": "prof.demo", "calendar": "personnel",
                                       "href": "conseil@lycee.ics", "name": "Camille Martin"}
