"""The journal of a shared mailbox: who read, moved, deleted, answered, sent or assigned
which message (by Message-ID and subject). Only access through a delegation or a functional
mailbox is journalled; an owner working in their own mailbox is not watched."""

import csv
import io

from django.utils import timezone
from django.utils.translation import gettext as _

from mail.access import mailbox_rights
from shared_mailboxes.models import AuditEntry

Action = AuditEntry.Action


def record(*, mailbox, user, action, message_id="", subject="", folder="", details="") -> None:
    AuditEntry.objects.create(
        mailbox=mailbox, user=user, action=action, message_id=message_id[:255],
        subject=subject[:998], folder=folder[:255], details=details[:500],
    )  # fmt: skip


def record_messages(*, mailbox, user, action, folder: str, messages, details="") -> None:
    """One line per message; ``messages`` are (Message-ID, subject) pairs."""
    AuditEntry.objects.bulk_create(
        AuditEntry(
            mailbox=mailbox, user=user, action=action, message_id=message_id[:255],
            subject=subject[:998], folder=folder[:255], details=details[:500],
        )
        for message_id, subject in messages
    )  # fmt: skip


def record_sending(*, user, mailbox, composition, message_id: str, **_signal) -> None:
    """Receiver of ``mail.signals.message_queued`` (connected in apps.py)."""
    if not mailbox_rights(user, mailbox).shared:
        return
    action = Action.SEND_ON_BEHALF if composition.sender_header else Action.SEND_AS
    record(mailbox=mailbox, user=user, action=action, message_id=message_id,
           subject=composition.subject, details=", ".join(composition.recipients))  # fmt: skip
    if composition.in_reply_to:
        record(mailbox=mailbox, user=user, action=Action.REPLY,
               message_id=composition.in_reply_to, subject=composition.subject,
               details=message_id)  # fmt: skip


def as_csv(entries) -> str:
    """The journal for a spreadsheet: UTF-8 with a BOM and semicolons, as French Excel wants."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";")
    writer.writerow(
        [_("When"), _("Who"), _("Action"), _("Message-ID"), _("Subject"), _("Folder"),
         _("Details")]
    )  # fmt: skip
    for entry in entries:
        writer.writerow(
            [
                timezone.localtime(entry.created_at).strftime("%d/%m/%Y %H:%M:%S"),
                entry.user.username if entry.user else "",
                entry.get_action_display(),
                entry.message_id,
                _neutral(entry.subject),
                _neutral(entry.folder),
                _neutral(entry.details),
            ]
        )
    return out.getvalue()


def _neutral(value: str) -> str:
    # A subject written by anyone outside must not run as a formula in a spreadsheet.
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
