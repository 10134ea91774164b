"""Creating functional mailboxes and changing who may use a mailbox; each change journalled."""

from django.db import transaction
from django.utils.translation import gettext as _

from mail.models import Mailbox, MailboxMember
from shared_mailboxes import journal
from shared_mailboxes.models import RIGHTS, FolderAddress, MailboxSignature, RoleGrant


def rights_text(values: dict) -> str:
    labels = {
        "can_read": _("read"), "can_manage": _("manage"), "can_send_as": _("send as"),
        "can_send_on_behalf": _("send on behalf"), "can_administer": _("administer"),
    }  # fmt: skip
    return ", ".join(str(labels[name]) for name in RIGHTS if values.get(name))


def do_create_functional_mailbox(*, creator, imap_user, address, display_name, etablissement):
    """A real Dovecot mailbox of its own (Dovecot's userdb reads mail_mailbox), whose
    creator is its first administrator."""
    with transaction.atomic():
        mailbox = Mailbox.objects.create(
            address=address, imap_user=imap_user, display_name=display_name,
            kind=Mailbox.Kind.FUNCTIONAL, etablissement=etablissement,
        )  # fmt: skip
        MailboxMember.objects.create(
            mailbox=mailbox, user=creator, **dict.fromkeys(RIGHTS, True)
        )
        journal.record(mailbox=mailbox, user=creator, action=journal.Action.MEMBER,
                       details=_("Mailbox created"))  # fmt: skip
    return mailbox


def do_set_member(*, actor, mailbox, person, rights: dict, starts_at, ends_at) -> MailboxMember:
    with transaction.atomic():
        member, _created = MailboxMember.objects.update_or_create(
            mailbox=mailbox, user=person,
            defaults={**rights, "starts_at": starts_at, "ends_at": ends_at},
        )  # fmt: skip
        journal.record(mailbox=mailbox, user=actor, action=journal.Action.MEMBER,
                       details=f"+ {person.username}: {rights_text(rights)}")  # fmt: skip
    return member


def do_remove_member(*, actor, mailbox, member_id: int) -> bool:
    with transaction.atomic():
        member = MailboxMember.objects.filter(mailbox=mailbox, id=member_id).first()
        if member is None:
            return False
        member.delete()
        journal.record(mailbox=mailbox, user=actor, action=journal.Action.MEMBER,
                       details=f"- {member.user.username}")  # fmt: skip
    return True


def do_set_role_grant(*, actor, mailbox, category, etablissement, rights: dict) -> RoleGrant:
    with transaction.atomic():
        grant, _created = RoleGrant.objects.update_or_create(
            mailbox=mailbox, category=category, etablissement=etablissement, defaults=rights
        )
        journal.record(mailbox=mailbox, user=actor, action=journal.Action.MEMBER,
                       details=f"+ {grant}: {rights_text(rights)}")  # fmt: skip
    return grant


def do_remove_role_grant(*, actor, mailbox, grant_id: int) -> bool:
    with transaction.atomic():
        grant = RoleGrant.objects.filter(mailbox=mailbox, id=grant_id).first()
        if grant is None:
            return False
        text = str(grant)
        grant.delete()
        journal.record(mailbox=mailbox, user=actor, action=journal.Action.MEMBER,
                       details=f"- {text}")  # fmt: skip
    return True


def do_add_folder_address(*, actor, mailbox, address, folder) -> FolderAddress:
    with transaction.atomic():
        target = FolderAddress.objects.create(address=address, mailbox=mailbox, folder=folder)
        journal.record(mailbox=mailbox, user=actor, action=journal.Action.MEMBER,
                       folder=folder, details=f"+ {address}")  # fmt: skip
    return target


def do_remove_folder_address(*, actor, mailbox, address_id: int) -> bool:
    with transaction.atomic():
        target = FolderAddress.objects.filter(mailbox=mailbox, id=address_id).first()
        if target is None:
            return False
        target.delete()
        journal.record(mailbox=mailbox, user=actor, action=journal.Action.MEMBER,
                       folder=target.folder, details=f"- {target.address}")  # fmt: skip
    return True


def do_save_signature(*, mailbox, form) -> MailboxSignature:
    with transaction.atomic():
        signature = form.save(commit=False)
        signature.mailbox = mailbox
        signature.save()
        if signature.is_default:
            MailboxSignature.objects.filter(mailbox=mailbox).exclude(id=signature.id).update(
                is_default=False
            )
    return signature
