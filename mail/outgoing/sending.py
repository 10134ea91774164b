"""From «Envoyer» to the gateway and the Sent folder: queued, cancellable, never lost.

``check_send_message`` validates and queues; the worker's ``do_send_message`` submits through
the gateway's submission port (as the user, with the master credential) and files the copy
in Sent. Both steps are recorded on the OutgoingMessage row, so a retry redoes only what is
missing.
"""

import logging
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formataddr

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from convergence.claims import unclaimed
from convergence.queueing import enqueue_on_commit
from mail.access import mailbox_rights, mailboxes_with_right
from mail.imap import MailStoreUnavailable, imap_session
from mail.models import DraftBackup, Mailbox, OutgoingMessage
from mail.outgoing.compose import Composition, build_message
from mail.outgoing.drafts import queued_with_key
from mail.outgoing.shared_files import with_large_files_as_links
from mail.outgoing.working_hours import hold_until
from mail.signals import message_queued
from mail.transport import smtp

logger = logging.getLogger(__name__)


class SendingDeferred(Exception):
    """The gateway or Dovecot is not answering: the message waits and is tried again."""


class SenderNotAllowed(Exception):
    pass


def sender_mailboxes(user):
    """Mailboxes the user may send from: their own, and those shared with «envoyer en tant
    que» or «envoyer de la part de» (named or through their role)."""
    return mailboxes_with_right(user, "send_as", "send_on_behalf")


def sender_identity(user, mailbox: Mailbox) -> tuple[str, str | None]:
    """(From display name, Sender header or None). As the mailbox: its own name; only «de la
    part de»: From is the mailbox and Sender the person (RFC 5322 §3.6.2), which clients show
    as «X de la part de Y»."""
    rights = mailbox_rights(user, mailbox)
    if rights.owner:
        return user.get_full_name() or mailbox.display_name, None
    if rights.send_as:
        return mailbox.display_name, None
    return mailbox.display_name, formataddr((user.get_full_name(), user.email))


def check_send_message(
    *,
    user,
    mailbox: Mailbox,
    composition: Composition,
    draft: dict,
    delay_seconds: int,
    send_at: datetime | None = None,
    respect_working_hours: bool = True,
) -> OutgoingMessage:
    """``send_at``: «envoi différé». Outside working hours a message to colleagues is held
    until the next working morning, unless the writer chose «envoyer maintenant»."""
    if not sender_mailboxes(user).filter(id=mailbox.id).exists():
        raise SenderNotAllowed(mailbox.address)
    key = str(draft.get("key") or "")
    already = queued_with_key(user, key)
    if already is not None:  # «Envoyer» again from a stale tab: the queued one stands
        return already
    composition.sender_name, composition.sender_header = sender_identity(user, mailbox)
    composition = with_large_files_as_links(user, composition)
    message = build_message(composition)
    when = send_at or timezone.now() + timedelta(seconds=delay_seconds)
    schedule = OutgoingMessage.Schedule.CHOSEN if send_at else OutgoingMessage.Schedule.NONE
    held = hold_until(composition.recipients, when) if respect_working_hours else None
    if held is not None:
        when, schedule = held, OutgoingMessage.Schedule.HELD
    with transaction.atomic():
        # One send per draft at a time: the mailbox row serialises concurrent «Envoyer».
        Mailbox.objects.select_for_update().filter(id=mailbox.id).first()
        already = queued_with_key(user, key)
        if already is not None:
            return already
        outgoing = queue_outgoing(
            user=user,
            mailbox=mailbox,
            message=message,
            subject=composition.subject,
            recipients=composition.recipients,
            draft=draft,
            send_after=when,
            schedule=schedule,
        )
        message_queued.send(sender=OutgoingMessage, user=user, mailbox=mailbox,
                            composition=composition, message_id=outgoing.message_id)  # fmt: skip
        # Queued, it is no draft any more; «annuler» makes it one again (drafts.restore_from).
        backup = DraftBackup.objects.filter(key=key, user=user).first() if key else None
        if backup is not None:
            backup.delete()
    if backup is not None and backup.imap_uid:
        _remove_from_drafts_folder(backup)
    return outgoing


def queue_outgoing(
    *,
    user,
    mailbox: Mailbox | None,
    message: EmailMessage,
    subject: str,
    recipients: list[str],
    send_after: datetime,
    draft: dict | None = None,
    schedule: str = OutgoingMessage.Schedule.NONE,
    kind: str = OutgoingMessage.Kind.MESSAGE,
    mail_from: str = "",
) -> OutgoingMessage:
    """Record the message, then queue its task; a scheduled one is queued by the beat's
    ``send_due_messages`` when due (a countdown of days would live only in the broker)."""
    with transaction.atomic():
        outgoing = OutgoingMessage.objects.create(
            user=user,
            mailbox=mailbox,
            message_id=message["Message-ID"],
            subject=subject,
            mail_from=mail_from or mailbox.address,
            recipients=recipients,
            raw=message.as_bytes(policy=SMTP),
            draft=draft or {},
            send_after=send_after,
            schedule=schedule,
            kind=kind,
        )
        if schedule == OutgoingMessage.Schedule.NONE:
            delay = max(0.0, (send_after - timezone.now()).total_seconds())
            enqueue_on_commit("mail.tasks.send_outgoing", outgoing.id, countdown=delay)
    return outgoing


def send_now(outgoing: OutgoingMessage) -> bool:
    """«Envoyer maintenant» for a scheduled or held message that has not left."""
    released = OutgoingMessage.objects.filter(
        id=outgoing.id, status=OutgoingMessage.Status.WAITING, send_after__gt=timezone.now()
    ).update(send_after=timezone.now(), schedule=OutgoingMessage.Schedule.NONE)
    if released:
        enqueue_on_commit("mail.tasks.send_outgoing", outgoing.id)
    return bool(released)


def cancel_send(outgoing: OutgoingMessage) -> bool:
    """«Annuler l'envoi»: only while it has not left; the caller reopens the draft."""
    return bool(
        OutgoingMessage.objects.filter(
            id=outgoing.id, status=OutgoingMessage.Status.WAITING, send_after__gt=timezone.now()
        ).update(status=OutgoingMessage.Status.CANCELLED)
    )


def do_send_message(outgoing_id: int) -> None:
    """Once, whatever runs it and how often: the countdown task, the sweeps' and the broker's
    redelivery may each bring a task for the same message, two at a time. Each step (submit,
    then file the copy) is claimed first (``_claimed``): a second task skips what the first
    is doing, and what a step finished is saved before the next one is claimed."""
    outgoing = _claimed(
        outgoing_id, OutgoingMessage.Status.WAITING, send_after__lte=timezone.now()
    )  # not due yet: a newer task comes at the right time (or «envoyer maintenant»)
    if outgoing is not None:
        _submit(outgoing)
        if outgoing.status == OutgoingMessage.Status.SUBMITTED:
            _discard_draft(outgoing)
    outgoing = _claimed(outgoing_id, OutgoingMessage.Status.SUBMITTED)
    if outgoing is not None:
        _file_sent_copy(outgoing)


def _claimed(outgoing_id: int, status: str, **conditions) -> OutgoingMessage | None:
    """The row, if it is in ``status`` and no living task holds it. A conditional UPDATE: of
    two tasks exactly one wins, on PostgreSQL and SQLite alike, and no transaction stays open
    while the gateway or Dovecot answers (SQLite's one writer would stop the gateway's own
    writes). The claim (SEND_CLAIM_SECONDS) outlasts any step many times over: a killed
    worker's message is taken again after it, never a living task's."""
    now = timezone.now()
    won = (
        OutgoingMessage.objects.filter(id=outgoing_id, status=status, **conditions)
        .filter(unclaimed(now))
        .update(claimed_until=now + timedelta(seconds=settings.SEND_CLAIM_SECONDS))
    )
    if not won:
        return None
    return OutgoingMessage.objects.select_related("mailbox", "user").get(id=outgoing_id)


def _submit(outgoing: OutgoingMessage) -> None:
    outgoing.attempts += 1
    outgoing.claimed_until = None  # whatever happens below, the row is saved free
    try:
        smtp.submit_as(
            outgoing.user.username,
            bytes(outgoing.raw),
            mail_from=outgoing.mail_from,
            recipients=outgoing.recipients,
        )
    except smtp.GatewayUnavailable as exc:
        outgoing.last_error = str(exc)
        outgoing.save(update_fields=["attempts", "last_error", "claimed_until"])
        raise SendingDeferred(str(exc)) from exc
    except smtp.GatewayRejected as exc:
        outgoing.status = OutgoingMessage.Status.REFUSED
        outgoing.last_error = str(exc)
        outgoing.save(update_fields=["attempts", "status", "last_error", "claimed_until"])
        logger.warning("outgoing %s refused: %s", outgoing.id, exc)
        return
    outgoing.status = OutgoingMessage.Status.SUBMITTED
    outgoing.sent_at = timezone.now()
    outgoing.last_error = ""
    outgoing.save(update_fields=["attempts", "status", "sent_at", "last_error", "claimed_until"])


def _file_sent_copy(outgoing: OutgoingMessage) -> None:
    """A worker killed after Dovecot stored the copy but before the row said so leaves it
    SUBMITTED: the next task finds the copy by its Message-ID and files none."""
    if outgoing.kind == OutgoingMessage.Kind.MESSAGE:  # receipts and digests: no copy
        # A day earlier: the server's calendar day may not be ours.
        since = (outgoing.sent_at or timezone.now()) - timedelta(days=1)
        try:
            with imap_session(outgoing.mailbox.imap_user) as box:
                sent = box.special_folder("sent") or "Sent"
                if not box.holds_header(sent, "Message-ID", outgoing.message_id,
                                        since=since.date()):  # fmt: skip
                    box.append(sent, bytes(outgoing.raw), seen=True)
        except MailStoreUnavailable as exc:
            OutgoingMessage.objects.filter(id=outgoing.id).update(claimed_until=None)
            raise SendingDeferred(str(exc)) from exc
    outgoing.status = OutgoingMessage.Status.SENT
    outgoing.claimed_until = None
    outgoing.save(update_fields=["status", "claimed_until"])


def _discard_draft(outgoing: OutgoingMessage) -> None:
    key = outgoing.draft.get("key")
    backup = DraftBackup.objects.filter(key=key, user=outgoing.user).first() if key else None
    if backup is None:
        return
    if backup.imap_uid:
        _remove_from_drafts_folder(backup)
    backup.delete()


def _remove_from_drafts_folder(backup: DraftBackup) -> None:
    try:
        with imap_session(backup.mailbox.imap_user) as box:
            box.remove(box.special_folder("drafts") or "Drafts", [backup.imap_uid])
    except Exception:  # the copy in Drafts is a convenience; the message is queued
        logger.warning("could not remove draft %s from Drafts", backup.imap_uid)


def waiting_ids(older_than: timedelta) -> list[int]:
    """Messages whose task the broker lost: due for a while and still not sent."""
    due = timezone.now() - older_than
    return list(
        OutgoingMessage.objects.filter(
            status__in=[OutgoingMessage.Status.WAITING, OutgoingMessage.Status.SUBMITTED],
            send_after__lt=due,
        ).values_list("id", flat=True)
    )


def due_ids() -> list[int]:
    """Scheduled and held messages whose time has come and that no task is submitting."""
    now = timezone.now()
    return list(
        OutgoingMessage.objects.filter(
            status=OutgoingMessage.Status.WAITING,
            send_after__lte=now,
        )
        .exclude(schedule=OutgoingMessage.Schedule.NONE)
        .filter(unclaimed(now))
        .values_list("id", flat=True)
    )
