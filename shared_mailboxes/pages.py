"""What the webmail's own pages show of shared mailboxes: the journal of reads, the team
panel of a message, the other mailboxes with their unread counts."""

from mail.access import mailbox_rights, readable_mailboxes
from mail.imap import InvalidRequest, MailStoreUnavailable, imap_session
from mail.models import Mailbox
from shared_mailboxes import journal
from shared_mailboxes.teamwork import MessageRef, panel


def rights_of(request, mailbox):
    rights = getattr(mailbox, "rights", None)
    if rights is None:
        rights = mailbox.rights = mailbox_rights(request.user, mailbox)
    return rights


def message_extras(request, mailbox, box, folder: str, uid: int, readable) -> dict:
    """Journal the read (shared access only) and give the team panel of the message page."""
    rights = rights_of(request, mailbox)
    ref = MessageRef(folder, uid, readable.message_id, readable.subject, readable.sender)
    if rights.shared:
        journal.record(mailbox=mailbox, user=request.user, action=journal.Action.READ,
                       message_id=ref.message_id, subject=ref.subject, folder=folder)  # fmt: skip
    if mailbox.kind != Mailbox.Kind.FUNCTIONAL and not rights.shared:
        return {}
    return {"team": panel(user=request.user, mailbox=mailbox, box=box, ref=ref)}


def other_mailboxes(user, current) -> list[dict]:
    """The person's other mailboxes, with the unread count of each INBOX (None: unknown)."""
    found = []
    for mailbox in readable_mailboxes(user).exclude(id=current.id).order_by("kind", "display_name"):
        try:
            with imap_session(mailbox.imap_user) as box:
                unread = box.unread_count()
        except (MailStoreUnavailable, InvalidRequest):
            unread = None
        found.append({"mailbox": mailbox, "unread": unread, "own": mailbox.owner_id == user.id})
    return found


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
