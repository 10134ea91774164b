"""Signatures of shared mailboxes, offered when writing from them."""

from mail.access import mailbox_rights
from shared_mailboxes.models import MailboxSignature


def signatures_of_senders(user, senders) -> list[MailboxSignature]:
    """The signatures of the shared mailboxes this person may send from."""
    shared = [mailbox.id for mailbox in senders if mailbox.owner_id != user.id]
    return list(MailboxSignature.objects.filter(mailbox_id__in=shared).select_related("mailbox"))


def mailbox_signature_for(user, mailbox) -> MailboxSignature | None:
    """The default signature of a shared mailbox the person writes from, if it has one."""
    if mailbox is None or not mailbox_rights(user, mailbox).shared:
        return None
    return MailboxSignature.objects.filter(mailbox=mailbox, is_default=True).first()
