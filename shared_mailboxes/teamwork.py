"""Team work on a shared mailbox's messages: «attribué à», states, internal notes.

Every change names the version of the message's row the person saw: a conditional UPDATE
applies it only if nobody changed the row since, so two members working the same message
never overwrite each other without knowing (the second is told and shown the new state).
The state keyword is stored on the IMAP message inside the same transaction.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from mail.access import in_force
from mail.imap.teamwork import state_of
from shared_mailboxes import journal
from shared_mailboxes.models import MessageNote, MessageWork, RoleGrant

UNCHANGED = object()


class WorkError(Exception):
    """Shown to the person as it is (French through gettext)."""


class Conflict(WorkError):
    def __init__(self, work: MessageWork):
        self.work = work
        who = work.updated_by.get_full_name() if work.updated_by else _("someone")
        super().__init__(
            _(
                "%(who)s changed this message just before you: it is now “%(state)s”, "
                "assigned to %(assignee)s. Your change was not saved; check and try again."
            )
            % {
                "who": who,
                "state": work.get_state_display(),
                "assignee": work.assignee.get_full_name() if work.assignee else _("nobody"),
            }
        )


def mailbox_people(mailbox):
    """Everyone who may read the mailbox today: its owner, named members, role holders."""
    condition = Q(personal_mailbox=mailbox) | (
        Q(memberships__mailbox=mailbox, memberships__can_read=True) & in_force("memberships__")
    )
    for grant in RoleGrant.objects.filter(mailbox=mailbox, can_read=True):
        condition |= Q(category=grant.category, etablissement_id=grant.etablissement_id)
    return User.objects.filter(condition, is_active=True).distinct().order_by(
        "last_name", "first_name"
    )


@dataclass
class MessageRef:
    """A message of a shared mailbox, as the page and the journal name it."""

    folder: str
    uid: int
    message_id: str
    subject: str
    sender: str = ""


def work_of(mailbox, message_id: str) -> MessageWork | None:
    if not message_id:
        return None
    return (
        MessageWork.objects.select_related("assignee", "updated_by")
        .filter(mailbox=mailbox, message_id=message_id)
        .first()
    )


def check_change_work(
    *, user, mailbox, box, ref: MessageRef, seen_version: int,
    assignee=UNCHANGED, state=UNCHANGED,
) -> MessageWork:  # fmt: skip
    """Validate, then apply the change only if the row is still at ``seen_version``."""
    if not ref.message_id:
        raise WorkError(_("This message has no identifier (Message-ID): it cannot be assigned."))
    if len(ref.message_id) > 255:
        raise WorkError(_("This message's identifier is too long to be followed."))
    if assignee not in (UNCHANGED, None) and not mailbox_people(mailbox).filter(
        id=assignee.id
    ).exists():
        raise WorkError(_("This person is not a member of the mailbox."))
    if state is not UNCHANGED and state not in MessageWork.State.values:
        raise WorkError(_("Unknown state."))
    return _do_change_work(user=user, mailbox=mailbox, box=box, ref=ref,
                           seen_version=seen_version, assignee=assignee, state=state)  # fmt: skip


def _do_change_work(*, user, mailbox, box, ref, seen_version, assignee, state) -> MessageWork:
    changes = {}
    if assignee is not UNCHANGED:
        changes["assignee"] = assignee
    if state is not UNCHANGED:
        changes["state"] = state
    with transaction.atomic():
        work, _created = MessageWork.objects.get_or_create(
            mailbox=mailbox, message_id=ref.message_id,
            defaults={"subject": ref.subject[:998], "sender": ref.sender[:320]},
        )  # fmt: skip
        applied = MessageWork.objects.filter(id=work.id, version=seen_version).update(
            version=F("version") + 1, updated_by=user, updated_at=timezone.now(), **changes
        )
        if not applied:
            raise Conflict(work_of(mailbox, ref.message_id))
        if state is not UNCHANGED:
            box.set_state(ref.folder, ref.uid, state)  # an IMAP failure rolls the row back
            journal.record(mailbox=mailbox, user=user, action=journal.Action.STATE,
                           message_id=ref.message_id, subject=ref.subject, folder=ref.folder,
                           details=MessageWork.State(state).label)  # fmt: skip
        if assignee is not UNCHANGED:
            journal.record(mailbox=mailbox, user=user, action=journal.Action.ASSIGN,
                           message_id=ref.message_id, subject=ref.subject, folder=ref.folder,
                           details=assignee.username if assignee else "")  # fmt: skip
    return work_of(mailbox, ref.message_id)


def check_add_note(*, user, mailbox, ref: MessageRef, text: str) -> MessageNote:
    text = text.strip()
    if not text:
        raise WorkError(_("The note is empty."))
    if len(text) > 4000:
        raise WorkError(_("A note is limited to 4,000 characters."))
    if not ref.message_id or len(ref.message_id) > 255:
        raise WorkError(_("This message has no identifier (Message-ID): it cannot take a note."))
    with transaction.atomic():
        note = MessageNote.objects.create(
            mailbox=mailbox, message_id=ref.message_id, author=user, text=text
        )
        journal.record(
            mailbox=mailbox, user=user, action=journal.Action.NOTE,
            message_id=ref.message_id, subject=ref.subject, folder=ref.folder,
        )  # fmt: skip
    return note


def panel(*, user, mailbox, box, ref: MessageRef) -> dict:
    """What the message page shows of the team work on this message."""
    work = work_of(mailbox, ref.message_id)
    return {
        "work": work,
        "version": work.version if work else 0,
        "state": state_of(box.keywords(ref.folder, ref.uid)),
        "states": MessageWork.State.choices,
        "people": mailbox_people(mailbox),
        "notes": MessageNote.objects.filter(mailbox=mailbox, message_id=ref.message_id)
        .select_related("author") if ref.message_id else [],
        "ref": ref,
    }
