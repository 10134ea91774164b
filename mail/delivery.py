"""Deliver what the gateway spooled: local mailboxes through LMTP, the rest to the relay."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from mail import lmtp, smtp
from mail.models import Mailbox, SpooledMessage
from mail.spool import discard_spooled, read_spooled
from shared_mailboxes import folder_delivery

logger = logging.getLogger(__name__)


class DeliveryDeferred(Exception):
    """Some recipients could not be served yet (Dovecot down, message claimed): retry later."""


def is_local(address: str) -> bool:
    return address.rpartition("@")[2].lower() in settings.MAIL_DOMAINS


def _claim(spool_id) -> bool:
    now = timezone.now()
    return bool(
        SpooledMessage.objects.filter(id=spool_id, status=SpooledMessage.Status.PENDING)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(claimed_until=now + timedelta(seconds=settings.DELIVERY_CLAIM_SECONDS))
    )


def deliver_spooled(spool_id) -> None:
    """Idempotent: recipients already served are skipped, a finished message is left alone."""
    if not _claim(spool_id):
        if SpooledMessage.objects.filter(
            id=spool_id, status=SpooledMessage.Status.PENDING
        ).exists():
            raise DeliveryDeferred("another worker holds this message")
        return
    message = SpooledMessage.objects.get(id=spool_id)
    message.attempts += 1
    try:
        _deliver(message)
    finally:
        message.claimed_until = None
        message.save(
            update_fields=[
                "attempts",
                "delivered_to",
                "status",
                "last_error",
                "finished_at",
                "claimed_until",
                "updated_at",
            ]
        )


def _deliver(message: SpooledMessage) -> None:
    try:
        raw = read_spooled(message)
    except FileNotFoundError:
        message.status = SpooledMessage.Status.FAILED
        message.last_error = f"spool file missing: {message.path}"
        logger.error("spool %s: %s", message.id, message.last_error)
        return
    done = set(message.delivered_to)
    local = [r for r in message.recipients if is_local(r) and r not in done]
    external = [r for r in message.recipients if not is_local(r) and r not in done]
    errors: dict[str, str] = {}
    deferred = False

    # Folders with their own address (shared_mailboxes): APPENDed there, not through LMTP.
    folders = folder_delivery.folder_targets(local)
    if folders:
        into_folders, not_yet = folder_delivery.deliver_to_folders(raw, folders)
        message.delivered_to += into_folders
        errors.update(not_yet)
        deferred = bool(not_yet)
        local = [r for r in local if r not in folders]

    if local:
        users = dict(Mailbox.objects.filter(address__in=local).values_list("imap_user", "address"))
        for address in set(local) - set(users.values()):
            errors[address] = "no such mailbox"
        try:
            outcome = lmtp.lmtp_deliver(raw, mail_from=message.mail_from, imap_users=list(users))
        except lmtp.LmtpUnavailable as exc:
            message.last_error = f"Dovecot LMTP unavailable: {exc}"
            raise DeliveryDeferred(message.last_error) from exc
        message.delivered_to += [users[user] for user in outcome.delivered]
        errors.update({users[u]: reason for u, reason in outcome.rejected.items()})
        if outcome.deferred:
            deferred = True
            errors.update({users[u]: reason for u, reason in outcome.deferred.items()})

    if external:
        if settings.SMARTHOST:
            try:
                refused = smtp.relay(raw, mail_from=message.mail_from, recipients=external)
            except smtp.RelayUnavailable as exc:
                message.last_error = f"smarthost unavailable: {exc}"
                raise DeliveryDeferred(message.last_error) from exc
            errors.update(refused)
            message.delivered_to += [r for r in external if r not in refused]
        else:
            # Development: external mail is kept in the spool for inspection, never sent.
            message.delivered_to += external

    message.last_error = "; ".join(f"{rcpt}: {why}" for rcpt, why in sorted(errors.items()))
    if deferred:
        raise DeliveryDeferred(message.last_error)
    message.finished_at = timezone.now()
    if external and not settings.SMARTHOST:
        message.status = SpooledMessage.Status.CAPTURED
    elif external and message.delivered_to:
        message.status = SpooledMessage.Status.RELAYED
    elif not message.delivered_to:
        message.status = SpooledMessage.Status.FAILED
    else:
        message.status = SpooledMessage.Status.DELIVERED
    if errors:
        logger.warning("spool %s: undeliverable recipients: %s", message.id, message.last_error)
    if message.status != SpooledMessage.Status.CAPTURED:
        discard_spooled(message)


def stalled_spool_ids(older_than: timedelta) -> list[str]:
    """Pending messages that nobody is working on (broker lost the task, worker killed)."""
    now = timezone.now()
    return [
        str(pk)
        for pk in SpooledMessage.objects.filter(
            status=SpooledMessage.Status.PENDING, updated_at__lt=now - older_than
        )
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .values_list("id", flat=True)
    ]
