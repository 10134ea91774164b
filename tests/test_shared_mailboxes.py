"""Shared mailboxes and delegation against a real Dovecot, gateway and worker: the rights
matrix on the server, roles, expiry, the journal, team work and its concurrency."""

import threading
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Preferences, User
from directory.models import Etablissement
from mail.imap import imap_session
from mail.models import Mailbox, MailboxMember, OutgoingMessage
from mail.tasks import end_expired_delegations
from mail.transport.lmtp import lmtp_deliver
from shared_mailboxes.models import AuditEntry, FolderAddress, MessageWork, RoleGrant
from tests.conftest import (
    build_message,
    inbox_subjects,
    make_person,
    send_inbound,
    unique_subject,
    wait_for,
)

pytestmark = pytest.mark.usefixtures("mail_stack")

VIE_SCOLAIRE = "vie-scolaire.0311234y"
ALL_RIGHTS = ("can_read", "can_manage", "can_send_as", "can_send_on_behalf", "can_administer")


@pytest.fixture
def secretary(transactional_db):
    return make_person("secretariat.demo", category=User.Category.ADMIN_STAFF,
                       first_name="Sophie", last_name="Lambert")  # fmt: skip


@pytest.fixture
def shared_box(secretary):
    return Mailbox.objects.create(
        address=f"{VIE_SCOLAIRE}@{settings.MAIL_DOMAIN}", imap_user=VIE_SCOLAIRE,
        display_name="Vie scolaire – Lycée", kind=Mailbox.Kind.FUNCTIONAL,
        etablissement=secretary.etablissement,
    )  # fmt: skip


def deliver_to(mailbox: Mailbox, subject: str, **extra) -> int:
    message = build_message(to=mailbox.address, subject=subject, **extra)
    outcome = lmtp_deliver(message.as_bytes(), mail_from="famille@example.org",
                           imap_users=[mailbox.imap_user])  # fmt: skip
    assert outcome.delivered == [mailbox.imap_user]
    return uid_in(mailbox, subject)


def uid_in(mailbox: Mailbox, subject: str, folder: str = "INBOX") -> int:
    with imap_session(mailbox.imap_user) as box:
        page = box.list_page(folder, page=1, page_size=500)
    return next(e.uid for e in page.envelopes if e.subject == subject)


def subjects_in(mailbox: Mailbox, folder: str) -> list[str]:
    with imap_session(mailbox.imap_user) as box:
        return [e.subject for e in box.list_page(folder, page=1, page_size=500).envelopes]


def grant(mailbox, user, **rights) -> MailboxMember:
    values = dict.fromkeys(ALL_RIGHTS, False) | rights
    return MailboxMember.objects.create(mailbox=mailbox, user=user, **values)


def compose(client, mailbox, **fields):
    data = {"sender": mailbox.id, "to": "parent@example.org", "subject": "Réponse",
            "body": "Bonjour", "draft_key": "6f1c3c1e-2a44-4c55-9a77-0d5a8d1c0e11"} | fields
    return client.post(reverse("mail:compose"), data)


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
        assert box.list_page("INBOX", page=1, page_size=50).envelopes[0].flagged

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


def test_a_folder_with_its_own_address_receives_mail_directly(shared_box):
    with imap_session(shared_box.imap_user) as box:
        box.create_folder("Absences")
    FolderAddress.objects.create(address=f"absences.0311234y@{settings.MAIL_DOMAIN}",
                                 mailbox=shared_box, folder="Absences")  # fmt: skip
    subject = unique_subject("Absence de Jade")
    send_inbound(build_message(to=f"absences.0311234y@{settings.MAIL_DOMAIN}", subject=subject))
    wait_for(lambda: subject in subjects_in(shared_box, "Absences"))
    assert subject not in subjects_in(shared_box, "INBOX")


def test_a_shared_mailbox_is_listed_under_its_own_heading_with_unread_counts(
    client, prof, shared_box
):
    grant(shared_box, prof, can_read=True)
    with imap_session(shared_box.imap_user) as box:
        before = box.unread_count()  # the Maildir outlives each test's database
    deliver_to(shared_box, unique_subject("Retard"))
    deliver_to(shared_box, unique_subject("Cantine"))
    client.force_login(prof)
    page = client.get(reverse("mail:folder", args=[prof.personal_mailbox.id, "INBOX"]))
    assert "Boîtes partagées" in page.text
    others = page.context["other_mailboxes"]
    assert [(o["mailbox"].id, o["unread"]) for o in others] == [(shared_box.id, before + 2)]


def test_admin_staff_create_functional_mailboxes_for_their_etablissement_only(
    client, prof, secretary
):
    create = reverse("shared_mailboxes:create")
    client.force_login(prof)
    assert client.get(create).status_code == 403
    client.force_login(secretary)
    other = Etablissement.objects.create(uai="0315678D", name="Collège", kind="college")
    response = client.post(create, {"name": "secretariat", "display_name": "Secrétariat",
                                    "etablissement": other.id})  # fmt: skip
    assert response.status_code == 200 and not Mailbox.objects.filter(kind="functional").exists()
    response = client.post(create, {"name": "Secrétariat!", "display_name": "Secrétariat",
                                    "etablissement": secretary.etablissement_id})  # fmt: skip
    assert "lettres minuscules sans accents" in response.text
    response = client.post(create, {"name": "secretariat", "display_name": "Secrétariat",
                                    "etablissement": secretary.etablissement_id})  # fmt: skip
    mailbox = Mailbox.objects.get(address=f"secretariat.0311234y@{settings.MAIL_DOMAIN}")
    assert mailbox.kind == Mailbox.Kind.FUNCTIONAL and mailbox.imap_user == "secretariat.0311234y"
    assert response.url == reverse("shared_mailboxes:members", args=[mailbox.id])
    assert MailboxMember.objects.get(mailbox=mailbox).can_administer
    # A real Dovecot mailbox of its own: mail is delivered there.
    subject = unique_subject("Inscription")
    send_inbound(build_message(to=mailbox.address, subject=subject))
    wait_for(lambda: subject in subjects_in(mailbox, "INBOX"))
    # IT support may create one anywhere.
    support = make_person("support.demo", category=User.Category.IT_SUPPORT)
    client.force_login(support)
    client.post(create, {"name": "intendance", "display_name": "Intendance",
                         "etablissement": other.id})  # fmt: skip
    assert Mailbox.objects.filter(address=f"intendance.0315678d@{settings.MAIL_DOMAIN}").exists()


def test_administrators_give_and_take_access_through_the_members_page(
    client, prof, secretary, shared_box
):
    grant(shared_box, secretary, can_read=True, can_administer=True)
    page = reverse("shared_mailboxes:members", args=[shared_box.id])
    client.force_login(secretary)
    # Bad input: a clear French error, nothing saved.
    response = client.post(page, {"operation": "member", "membre-person": "inconnu.demo",
                                  "membre-can_read": "on"})  # fmt: skip
    assert "Personne n’a cet identifiant" in response.text
    response = client.post(page, {"operation": "member", "membre-person": "prof.demo"})
    assert "Cochez au moins un droit." in response.text
    response = client.post(page, {
        "operation": "member", "membre-person": "prof.demo", "membre-can_read": "on",
        "membre-starts_at": "2030-01-10T08:00", "membre-ends_at": "2030-01-01T08:00",
    })  # fmt: skip
    assert "La fin doit venir après le début." in response.text
    assert not MailboxMember.objects.filter(user=prof).exists()
    # A substitute for a limited time.
    response = client.post(page, {
        "operation": "member", "membre-person": "prof.demo", "membre-can_read": "on",
        "membre-can_send_on_behalf": "on", "membre-ends_at": "2030-06-30T18:00",
    })  # fmt: skip
    assert response.status_code == 302
    member = MailboxMember.objects.get(user=prof)
    assert member.can_read and member.can_send_on_behalf and not member.can_manage
    assert timezone.localtime(member.ends_at).strftime("%Y-%m-%d %H:%M") == "2030-06-30 18:00"
    # A role of the établissement.
    client.post(page, {"operation": "role", "role-category": User.Category.TEACHER_SECONDARY,
                       "role-etablissement": secretary.etablissement_id,
                       "role-can_read": "on"})  # fmt: skip
    assert RoleGrant.objects.get(mailbox=shared_box).category == User.Category.TEACHER_SECONDARY
    # A folder's own address, refused when the address is somebody's.
    response = client.post(page, {"operation": "address", "adresse-local_part": "prof.demo",
                                  "adresse-folder": "INBOX"})  # fmt: skip
    assert "déjà utilisée" in response.text
    client.post(page, {"operation": "address", "adresse-local_part": "absences.0311234y",
                       "adresse-folder": "Archive"})  # fmt: skip
    assert FolderAddress.objects.get().folder == "Archive"
    client.post(page, {"operation": "remove_member", "id": member.id})
    assert not MailboxMember.objects.filter(user=prof).exists()
    details = list(AuditEntry.objects.filter(action="member").values_list("details", flat=True))
    assert any(d.startswith("+ prof.demo") for d in details)
    assert "- prof.demo" in details


def test_guessed_urls_and_uids_lead_nowhere(client, prof, colleague, shared_box):
    grant(shared_box, colleague, can_read=True, can_manage=True)
    private = unique_subject("Personnel")
    deliver_to(prof.personal_mailbox, private)
    private_uid = uid_in(prof.personal_mailbox, private)
    client.force_login(colleague)
    # A member of the shared mailbox, guessing the id of a colleague's personal mailbox.
    for url in (
        reverse("mail:message", args=[prof.personal_mailbox.id, "INBOX", private_uid]),
        reverse("shared_mailboxes:assigned", args=[prof.personal_mailbox.id]),
        reverse("shared_mailboxes:locate", args=[prof.personal_mailbox.id]) + "?mid=<x@y>",
    ):
        assert client.get(url).status_code == 404, url
    change = reverse("shared_mailboxes:change", args=[prof.personal_mailbox.id, "INBOX",
                                                      private_uid])  # fmt: skip
    assert client.post(change, {"operation": "note", "text": "x"}).status_code == 404
    # In the shared mailbox: a UID that does not exist, a Message-ID that is not one.
    missing = reverse("shared_mailboxes:change", args=[shared_box.id, "INBOX", 999999])
    assert client.post(missing, {"operation": "note", "text": "x"}).status_code == 404
    locate = reverse("shared_mailboxes:locate", args=[shared_box.id])
    assert client.get(locate, {"mid": '<a" OR ALL>'}).status_code == 404
    assert not AuditEntry.objects.filter(action="note").exists()
