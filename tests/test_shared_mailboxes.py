"""Shared mailboxes and delegation against a real Dovecot, gateway and worker: the rights
matrix on the server, roles, expiry, the journal, team work and its concurrency."""

import threading
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Preferences, User
from directory.models import Etablissement
from mail.imap import imap_session
from mail.models import MailboxMember, OutgoingMessage
from shared_mailboxes.models import AuditEntry, MessageWork, RoleGrant
from shared_mailboxes.tasks import end_expired_delegations
from tests.conftest import (
    inbox_subjects,
    make_person,
    unique_subject,
    wait_for,
)
from tests.shared_mailbox_setup import (  # noqa: F401 (fixtures)
    compose,
    deliver_to,
    grant,
    secretary,
    shared_box,
    subjects_in,
    uid_in,
)

pytestmark = pytest.mark.usefixtures("mail_stack")


def test_rights_matrix_each_right_granted_and_denied(client, prof, shared_box):
    subject = unique_subject("Absence de Léo")
    uid = deliver_to(shared_box, subject)
    Preferences.objects.create(user=prof, undo_send_seconds=30)
    client.force_login(prof)
    folder = reverse("mail:folder", args=[shared_box.id, "INBOX"])
    message = reverse("mail:message", args=[shared_box.id, "INBOX", uid])
    act = reverse("mail:act", args=[shared_box.id])
    members = reverse("shared_mailboxes:members", args=[shared_box.id])
    journal = reverse("shared_mailboxes:journal", args=[shared_box.id])

    # No right at all: the mailbox does not exist for this person, whatever the URL.
    for url in (folder, message, members, journal,
                reverse("mail:source", args=[shared_box.id, "INBOX", uid])):  # fmt: skip
        assert client.get(url).status_code == 404, url
    assert client.post(act, {"folder": "INBOX", "action": "delete", "uid": uid}).status_code == 404
    assert compose(client, shared_box).status_code == 200  # refused beside the field
    assert not OutgoingMessage.objects.exists()

    member = grant(shared_box, prof, can_read=True)
    assert client.get(folder).status_code == 200
    assert subject in client.get(message).text
    # Reading only: every change is refused on the server, the message stays.
    assert client.post(act, {"folder": "INBOX", "action": "delete", "uid": uid}).status_code == 403
    assert subject in subjects_in(shared_box, "INBOX")
    assert client.post(reverse("mail:folders", args=[shared_box.id]),
                       {"name": "Dossier"}).status_code == 403  # fmt: skip
    assert client.get(members).status_code == 403 and client.get(journal).status_code == 403
    change = reverse("shared_mailboxes:change", args=[shared_box.id, "INBOX", uid])
    assert client.post(change, {"operation": "state", "state": "doing", "version": 0}
                       ).status_code == 403  # fmt: skip
    compose(client, shared_box)
    assert not OutgoingMessage.objects.exists()

    MailboxMember.objects.filter(id=member.id).update(can_manage=True)
    assert client.post(act, {"folder": "INBOX", "action": "flag", "uid": uid}).status_code == 302
    with imap_session(shared_box.imap_user) as box:
        # By its UID: the shared mailbox may hold other tests' mail, some dated later.
        assert "\\flagged" in box.flags("INBOX", uid)

    MailboxMember.objects.filter(id=member.id).update(can_send_as=True)
    assert compose(client, shared_box, subject="En tant que").status_code == 302
    sent = message_from_bytes(bytes(OutgoingMessage.objects.get().raw), policy=policy.default)
    assert sent["From"].addresses[0].addr_spec == shared_box.address
    assert sent["From"].addresses[0].display_name == "Vie scolaire – Lycée"
    assert sent["Sender"] is None

    MailboxMember.objects.filter(id=member.id).update(can_send_as=False, can_send_on_behalf=True)
    OutgoingMessage.objects.all().delete()
    assert compose(client, shared_box, subject="De la part").status_code == 302
    sent = message_from_bytes(bytes(OutgoingMessage.objects.get().raw), policy=policy.default)
    assert sent["From"].addresses[0].addr_spec == shared_box.address
    assert sent["Sender"].addresses[0].addr_spec == prof.email

    MailboxMember.objects.filter(id=member.id).update(can_administer=True)
    assert client.get(members).status_code == 200
    assert client.get(journal).status_code == 200


def test_dates_of_a_delegation_and_a_personal_mailbox_revoked_by_its_owner(
    client, prof, colleague
):
    own = prof.personal_mailbox
    folder = reverse("mail:folder", args=[own.id, "INBOX"])
    client.force_login(colleague)
    now = timezone.now()
    member = grant(own, colleague, can_read=True, starts_at=now + timedelta(days=1))
    assert client.get(folder).status_code == 404  # not yet
    MailboxMember.objects.filter(id=member.id).update(starts_at=None,
                                                      ends_at=now - timedelta(minutes=1))
    assert client.get(folder).status_code == 404  # over
    MailboxMember.objects.filter(id=member.id).update(ends_at=now + timedelta(days=1))
    assert client.get(folder).status_code == 200

    # The owner administers their own mailbox's delegations, and revokes at any time.
    owner = Client()
    owner.force_login(prof)
    page = reverse("shared_mailboxes:members", args=[own.id])
    assert owner.get(page).status_code == 200
    owner.post(page, {"operation": "remove_member", "id": member.id})
    assert client.get(folder).status_code == 404
    # A delegate without «administer» cannot give access to anyone.
    grant(own, colleague, can_read=True, can_manage=True)
    response = client.post(page, {"operation": "member", "membre-person": "prof.demo",
                                  "membre-can_read": "on"})  # fmt: skip
    assert response.status_code == 403


def test_role_membership_follows_the_directory(client, prof, secretary, shared_box):
    RoleGrant.objects.create(mailbox=shared_box, category=User.Category.ADMIN_STAFF,
                             etablissement=secretary.etablissement, can_read=True,
                             can_manage=True)  # fmt: skip
    folder = reverse("mail:folder", args=[shared_box.id, "INBOX"])
    client.force_login(secretary)
    assert client.get(folder).status_code == 200
    client.force_login(prof)  # a teacher of the same lycée
    assert client.get(folder).status_code == 404
    prof.category = User.Category.ADMIN_STAFF  # the directory says she changed jobs
    prof.save()
    assert client.get(folder).status_code == 200
    other = Etablissement.objects.create(uai="0315678D", name="Collège", kind="college")
    prof.etablissement = other  # and then moved to another établissement
    prof.save()
    assert client.get(folder).status_code == 404


def test_a_delegation_ends_by_itself_and_the_member_is_told(client, prof, shared_box):
    member = grant(shared_box, prof, can_read=True,
                   ends_at=timezone.now() - timedelta(seconds=1))  # fmt: skip
    grant(shared_box, make_person("cpe.demo"), can_read=True,
          ends_at=timezone.now() + timedelta(days=30))  # fmt: skip
    end_expired_delegations.delay()  # through the real worker, as beat would
    wait_for(lambda: not MailboxMember.objects.filter(id=member.id).exists())
    assert MailboxMember.objects.filter(user__username="cpe.demo").exists()
    wait_for(lambda: any("Fin de votre accès" in s for s in inbox_subjects("prof.demo")))
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPIRED)
    assert entry.user == prof and entry.mailbox == shared_box
    client.force_login(prof)
    assert client.get(reverse("mail:folder", args=[shared_box.id, "INBOX"])).status_code == 404


def test_every_action_in_a_shared_mailbox_is_journalled_and_exported(
    client, prof, secretary, shared_box
):
    grant(shared_box, prof, can_read=True, can_manage=True, can_send_as=True)
    grant(shared_box, secretary, can_read=True, can_administer=True)
    Preferences.objects.create(user=prof, undo_send_seconds=30)
    subjects = [unique_subject(f"Demande {n}") for n in range(3)]
    uids = [deliver_to(shared_box, s) for s in subjects]
    client.force_login(prof)
    client.get(reverse("mail:message", args=[shared_box.id, "INBOX", uids[0]]))
    change = reverse("shared_mailboxes:change", args=[shared_box.id, "INBOX", uids[0]])
    client.post(change, {"operation": "assign", "assignee": secretary.id, "version": 0})
    client.post(change, {"operation": "state", "state": "doing", "version": 1})
    client.post(change, {"operation": "note", "text": "Appeler la famille"})
    message_id = client.get(
        reverse("mail:message", args=[shared_box.id, "INBOX", uids[0]])
    ).context["message"].message_id
    compose(client, shared_box, subject=f"Re: {subjects[0]}", in_reply_to=message_id)
    act = reverse("mail:act", args=[shared_box.id])
    client.post(act, {"folder": "INBOX", "action": "move", "uid": uids[1], "target": "Archive"})
    client.post(act, {"folder": "INBOX", "action": "delete", "uid": uids[2]})

    entries = AuditEntry.objects.filter(mailbox=shared_box, user=prof)
    by_action = {e.action: e for e in entries}
    assert set(by_action) >= {"read", "assign", "state", "note", "send_as", "reply", "move",
                              "delete"}  # fmt: skip
    assert by_action["read"].subject == subjects[0] and by_action["read"].message_id == message_id
    assert by_action["reply"].message_id == message_id
    assert by_action["move"].subject == subjects[1] and by_action["move"].details == "Archive"
    assert by_action["delete"].subject == subjects[2]
    assert by_action["assign"].details == "secretariat.demo"

    # Only administrators see the journal; the CSV is for a spreadsheet.
    journal = reverse("shared_mailboxes:journal", args=[shared_box.id])
    assert client.get(journal).status_code == 403
    client.force_login(secretary)
    assert subjects[2] in client.get(journal).text
    csv = client.get(journal + "?format=csv")
    assert csv["Content-Type"].startswith("text/csv")
    text = csv.content.decode("utf-8-sig")
    assert "Quand;Qui;Action" in text.splitlines()[0]
    assert "prof.demo;Supprimé;" in text and subjects[2] in text


def test_two_members_change_the_same_message_at_once_without_lost_update(
    prof, secretary, shared_box
):
    grant(shared_box, prof, can_read=True, can_manage=True)
    grant(shared_box, secretary, can_read=True, can_manage=True)
    subject = unique_subject("Dossier de bourse")
    uid = deliver_to(shared_box, subject)
    change = reverse("shared_mailboxes:change", args=[shared_box.id, "INBOX", uid])
    clients = {}
    for user in (prof, secretary):
        clients[user.username] = Client()
        clients[user.username].force_login(user)
    start = threading.Barrier(2)
    answers = {}

    def work(login, state):
        start.wait()
        response = clients[login].post(
            change, {"operation": "state", "state": state, "version": 0}, follow=True
        )
        answers[login] = response.text

    threads = [threading.Thread(target=work, args=("prof.demo", "doing")),
               threading.Thread(target=work, args=("secretariat.demo", "done"))]  # fmt: skip
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    work_row = MessageWork.objects.get()
    assert work_row.version == 1  # exactly one change applied
    winner = work_row.updated_by.username
    loser = ({"prof.demo", "secretariat.demo"} - {winner}).pop()
    assert "juste avant vous" in answers[loser]
    with imap_session(shared_box.imap_user) as box:
        keywords = box.keywords("INBOX", uid)
    expected = {"doing": "$EnCours", "done": "$Traite"}[work_row.state]
    assert {k for k in keywords if k.startswith("$")} & {"$ATraiter", "$EnCours", "$Traite"} == {
        expected
    }
    # The one who lost sees the new state and can then change it knowingly.
    response = clients[loser].post(change, {"operation": "assign", "assignee": prof.id,
                                            "version": 1})  # fmt: skip
    assert response.status_code == 302
    work_row.refresh_from_db()
    assert work_row.version == 2 and work_row.assignee == prof
    assert work_row.state in ("doing", "done")  # the state the winner set is kept


def test_mes_messages_attribues_finds_a_message_wherever_it_was_moved(
    client, prof, secretary, shared_box
):
    grant(shared_box, prof, can_read=True, can_manage=True)
    grant(shared_box, secretary, can_read=True, can_manage=True)
    subject = unique_subject("Certificat de scolarité")
    uid = deliver_to(shared_box, subject)
    client.force_login(secretary)
    change = reverse("shared_mailboxes:change", args=[shared_box.id, "INBOX", uid])
    client.post(change, {"operation": "assign", "assignee": prof.id, "version": 0})
    client.post(reverse("mail:act", args=[shared_box.id]),
                {"folder": "INBOX", "action": "archive", "uid": uid})  # fmt: skip
    client.force_login(prof)
    page = client.get(reverse("shared_mailboxes:assigned", args=[shared_box.id]))
    assert subject in page.text
    work = page.context["works"][0]
    found = client.get(reverse("shared_mailboxes:locate", args=[shared_box.id]),
                       {"mid": work.message_id})  # fmt: skip
    assert found.url == reverse("mail:message", args=[shared_box.id, "Archive",
                                                      uid_in(shared_box, subject, "Archive")])
    # The state keyword shows in other IMAP clients, and in the list.
    client.post(reverse("shared_mailboxes:change", args=[shared_box.id, "Archive",
                                                        uid_in(shared_box, subject, "Archive")]),
                {"operation": "state", "state": "done", "version": 1})  # fmt: skip
    listing = client.get(reverse("mail:folder", args=[shared_box.id, "Archive"]))
    assert "Traité" in listing.text


@pytest.mark.parametrize("state", ["(", "{5}", "\\Deleted", "$label1", "doing\r\nx", "DOING"])
def test_a_state_outside_the_list_sets_no_flag(client, prof, shared_box, state):
    """A state is one of three keywords: whatever else a forged form says reaches IMAP never."""
    grant(shared_box, prof, can_read=True, can_manage=True)
    uid = deliver_to(shared_box, unique_subject("Demande"))
    client.force_login(prof)
    change = reverse("shared_mailboxes:change", args=[shared_box.id, "INBOX", uid])
    answer = client.post(change, {"operation": "state", "state": state, "version": 0},
                         HTTP_ACCEPT_LANGUAGE="fr", follow=True)  # fmt: skip
    assert answer.status_code == 200 and "État inconnu." in answer.text
    with imap_session(shared_box.imap_user) as box:
        flags = box.flags("INBOX", uid)
    assert not {f for f in flags if f.startswith("$") or f == "\\deleted"}, flags
    assert not MessageWork.objects.exclude(state="").exists()
