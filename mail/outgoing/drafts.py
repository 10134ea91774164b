"""Drafts are kept twice: in the database (never lost) and in the IMAP Drafts folder."""

import logging
import uuid

from mail.imap import InvalidRequest, MailStoreUnavailable, imap_session
from mail.models import DraftBackup, OutgoingMessage
from mail.outgoing.compose import Composition, build_message

logger = logging.getLogger(__name__)

FIELDS = (
    "key", "sender", "to", "cc", "bcc", "subject", "body", "html", "in_reply_to", "references",
    "forward", "send_at",
)  # fmt: skip


def save_backup(user, fields: dict, senders) -> DraftBackup | None:
    """Store what the form held. Nothing typed yet: nothing to keep."""
    if not any(fields.get(k, "").strip() for k in ("to", "cc", "bcc", "subject", "body")):
        return None
    try:
        key = uuid.UUID(str(fields.get("key") or ""))
    except ValueError:
        return None
    mailbox = senders.filter(id=_int(fields.get("sender"))).first() or senders.first()
    if mailbox is None:
        return None
    backup, _ = DraftBackup.objects.update_or_create(
        key=key, user=user, defaults={"fields": dict(fields), "mailbox": mailbox}
    )
    return backup


def save_to_drafts_folder(backup: DraftBackup, user) -> bool:
    """Replace the previous copy in Drafts; a Dovecot blip only skips this step."""
    fields = backup.fields
    draft = Composition(
        sender_name=user.get_full_name(),
        sender_address=backup.mailbox.address,
        to=_addresses(fields.get("to")),
        cc=_addresses(fields.get("cc")),
        subject=" ".join(fields.get("subject", "").split()),
        body=fields.get("body", ""),
    )
    try:
        raw = build_message(draft).as_bytes()
    except (ValueError, TypeError):  # half-typed addresses: the database copy is enough
        return False
    try:
        with imap_session(backup.mailbox.imap_user) as box:
            folder = box.special_folder("drafts") or "Drafts"
            uid = box.append(folder, raw, seen=True, draft=True)
            if backup.imap_uid:
                box.remove(folder, [backup.imap_uid])
    except (MailStoreUnavailable, InvalidRequest) as exc:
        logger.info("draft %s kept in the database only: %s", backup.key, exc)
        return False
    DraftBackup.objects.filter(id=backup.id).update(imap_uid=uid or None)
    return True


def restore_from(outgoing: OutgoingMessage) -> DraftBackup:
    fields = dict(outgoing.draft)
    key = fields.get("key") or str(uuid.uuid4())
    backup, _ = DraftBackup.objects.update_or_create(
        key=key, user=outgoing.user, defaults={"fields": fields, "mailbox": outgoing.mailbox}
    )
    return backup


def _addresses(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").replace(";", ",").split(",") if "@" in part]


def _int(value) -> int:
    return int(value) if str(value or "").isdigit() else 0
