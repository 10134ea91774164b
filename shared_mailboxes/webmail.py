"""What the webmail's pages show and record of shared mailboxes: the one interface the
webmail (mail/webmail/) imports from this app. The journal of reads and actions, the team
panel of a message, the signatures of the mailboxes one writes from. Everything else goes
the other way: this app builds on mail's access checks, IMAP adapter and models."""

from mail.access import mailbox_rights
from mail.imap.teamwork import state_of
from mail.models import Mailbox
from shared_mailboxes import journal
from shared_mailboxes.models import MailboxSignature, MessageWork
from shared_mailboxes.teamwork import MessageRef, panel


def message_extras(request, mailbox, box, folder: str, uid: int, readable) -> dict:
    """Journal the read (shared access only) and give the team panel of the message page."""
    rights = mailbox.rights  # set by access_mailbox
    ref = MessageRef(folder, uid, readable.message_id, readable.subject, readable.sender)
    if rights.shared:
        journal.record(mailbox=mailbox, user=request.user, action=journal.Action.READ,
                       message_id=ref.message_id, subject=ref.subject, folder=folder)  # fmt: skip
    if mailbox.kind != Mailbox.Kind.FUNCTIONAL and not rights.shared:
        return {}
    return {"team": panel(user=request.user, mailbox=mailbox, box=box, ref=ref)}


def journal_reads(request, mailbox, folder: str, messages) -> None:
    """A conversation read through a delegation: one journal line per message."""
    if mailbox.rights.shared:
        journal.record_messages(mailbox=mailbox, user=request.user, action=journal.Action.READ,
                                folder=folder, messages=messages)  # fmt: skip


_ACTIONS = {
    "read": journal.Action.FLAG, "unread": journal.Action.FLAG, "flag": journal.Action.FLAG,
    "unflag": journal.Action.FLAG, "delete": journal.Action.DELETE,
    "archive": journal.Action.MOVE, "move": journal.Action.MOVE,
}  # fmt: skip


def journal_action(request, mailbox, box, action: str, folder: str, uids, target: str) -> None:
    """One journal line per message acted on in a shared mailbox, named by Message-ID."""
    found = box.identify(folder, uids)
    details = {"move": target, "archive": target or "Archive"}.get(action, action)
    journal.record_messages(mailbox=mailbox, user=request.user, action=_ACTIONS[action],
                            folder=folder, messages=found.values(), details=details)  # fmt: skip


def signatures_of_senders(user, senders) -> list[MailboxSignature]:
    """The signatures of the shared mailboxes this person may send from."""
    shared = [mailbox.id for mailbox in senders if mailbox.owner_id != user.id]
    return list(MailboxSignature.objects.filter(mailbox_id__in=shared).select_related("mailbox"))


def mailbox_signature_for(user, mailbox) -> MailboxSignature | None:
    """The default signature of a shared mailbox the person writes from, if it has one."""
    if mailbox is None or not mailbox_rights(user, mailbox).shared:
        return None
    return MailboxSignature.objects.filter(mailbox=mailbox, is_default=True).first()


def state_label(keywords) -> str:
    """The label of the state keyword of a message («À traiter»…), or ""."""
    state = state_of(keywords or ())
    return MessageWork.State(state).label if state else ""
