"""Drafts are kept twice: in the database (never lost) and in the IMAP Drafts folder."""

import logging
import uuid

from mail.imap import InvalidRequest, MailStoreUnavailable, imap_session
from mail.message.parse import parse
from mail.models import DraftBackup, OutgoingMessage
from mail.outgoing.carried import carried_parts
from mail.outgoing.compose import Composition, build_message

logger = logging.getLogger(__name__)

FIELDS = (
    "key", "sender", "to", "cc", "bcc", "subject", "body", "html", "in_reply_to", "references",
    "forward", "send_at", "carried_from", "carried", "high_priority", "read_receipt", "send_now",
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
    if queued_with_key(user, str(key)) is not None:  # an autosave arriving after «Envoyer»
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
    """The draft of a cancelled send: its texts and attachments from the queued copy (a
    message forwarded whole comes back through its own ``forward`` field)."""
    fields = dict(outgoing.draft)
    fields.update(_texts_that_left(bytes(outgoing.raw)))
    parts = [
        part
        for part in carried_parts(bytes(outgoing.raw))
        if not (fields.get("forward") and part.content_type == "message/rfc822")
    ]
    if parts:
        fields["carried_from"] = f"envoi:{outgoing.id}"
        fields["carried"] = ",".join(str(part.index) for part in parts)
    key = fields.get("key") or str(uuid.uuid4())
    backup, _ = DraftBackup.objects.update_or_create(
        key=key, user=outgoing.user, defaults={"fields": fields, "mailbox": outgoing.mailbox}
    )
    return backup


def queued_with_key(user, key: str) -> OutgoingMessage | None:
    """The message queued from the draft ``key`` and not cancelled: it is no draft then."""
    if not key:
        return None
    return (
        OutgoingMessage.objects.filter(user=user, kind=OutgoingMessage.Kind.MESSAGE, draft__key=key)
        .exclude(status=OutgoingMessage.Status.CANCELLED)
        .first()
    )


def _texts_that_left(raw: bytes) -> dict:
    """The text as queued: with the links that replaced large files (outgoing.shared_files),
    which stay valid, so the files are not lost when the message comes back."""
    try:
        message = parse(raw)
        plain = message.get_body(preferencelist=("plain",))
        html = message.get_body(preferencelist=("html",))
        texts = {"body": plain.get_content()} if plain is not None else {}
        if html is not None:
            texts["html"] = html.get_content()
    except (LookupError, UnicodeError, ValueError):  # our own message: only a bug gets here
        return {}
    return texts


def _addresses(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").replace(";", ",").split(",") if "@" in part]


def _int(value) -> int:
    return int(value) if str(value or "").isdigit() else 0
