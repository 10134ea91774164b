"""Shared mailboxes against a real Dovecot, gateway and worker: folders with their own
address, the sidebar, creating functional mailboxes, the members page, guessed URLs."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from directory.models import Etablissement
from mail.imap import imap_session
from mail.models import Mailbox, MailboxMember
from shared_mailboxes.models import AuditEntry, FolderAddress, RoleGrant
from tests.conftest import (
    build_message,
    make_person,
    send_inbound,
    unique_subject,
    wait_for,
)
from tests.shared_mailbox_setup import (  # noqa: F401 (fixtures)
    deliver_to,
    grant,
    secretary,
    shared_box,
    subjects_in,
    uid_in,
)

pytestmark = pytest.mark.usefixtures("mail_stack")


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
