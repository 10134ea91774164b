"""Deliver what the gateway spooled: local mailboxes through LMTP, the rest to the relay."""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Q
from django.utils import timezone

from directory import lists
from mail.imap import InvalidRequest, MailStoreUnavailable, imap_session
from mail.models import Mailbox, SpooledMessage
from mail.pipeline import forwarding, spam, vacation
from mail.pipeline.delivery_plan import RecipientPlan, plan_deliveries
from mail.pipeline.spool import discard_spooled, read_spooled
from mail.transport import lmtp, smtp
from shared_mailboxes import folder_delivery

logger = logging.getLogger(__name__)

# Added to each copy handed to Dovecot (not to the spool file): a retry after a crash finds
# by it the copies an earlier attempt stored without recording them.
DELIVERY_HEADER = "X-Convergence-Delivery"


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
    except Exception as exc:
        if not isinstance(exc, DeliveryDeferred):
            message.last_error = f"{type(exc).__name__}: {exc}"
        if message.attempts < settings.DELIVERY_MAX_ATTEMPTS:
            raise
        # Dead letter: no more retries; IT support sees it and can retry (mail/dead_letters.py).
        message.status = SpooledMessage.Status.DEAD
        logger.error("spool %s: given up after %d attempts: %s", spool_id, message.attempts,
                     message.last_error)  # fmt: skip
    finally:
        message.claimed_until = None
        message.save(
            update_fields=[
                "attempts",
                "delivered_to",
                "in_flight",
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
    # Handed to Dovecot by an attempt that never recorded the outcome (killed, cut off).
    unsure = set(message.in_flight) - done
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
        plain, reached = lists.expand(local)
        mailboxes = list(Mailbox.objects.filter(address__in=plain))
        for address in set(plain) - {m.address for m in mailboxes}:
            errors[address] = "no such mailbox"
        # Members reached through a list too, once each, skipping those already served.
        mailboxes = list({m.address: m for m in [*reached, *mailboxes]
                          if m.address not in done}.values())
        # Spam: scored once (mail from our own users is not). Spam copies go to Junk
        # ("login+Junk"), and rules, forwarding and absence replies are not applied to them.
        local_copy, targets = spam.prepare_local_delivery(
            raw, imap_users=[m.imap_user for m in mailboxes],
            scan=message.submitted_by_id is None,
        )
        junk = [m for m in mailboxes if targets[m.imap_user] != m.imap_user]
        plans = plan_deliveries(local_copy, [m for m in mailboxes if m not in junk])
        for plan in plans:
            _carry_out_side_effects(message, raw, plan)
        stamped = _stamped(local_copy, message)
        plain = [p for p in plans if p.plain and not _already_stored(message, p, unsure)]
        users = {p.mailbox.imap_user: p.address for p in plain}
        # Spam copies are not looked for after a crash: at worst, one spam twice in Junk.
        users.update({targets[m.imap_user]: m.address for m in junk})
        if users:
            try:
                # One LMTP transaction for every mailbox, however long the list (RFC 2033).
                outcome = lmtp.lmtp_deliver(
                    stamped,
                    mail_from=message.mail_from,
                    imap_users=list(users),
                    before_data=lambda accepted: _mark_in_flight(
                        message, [users[u] for u in accepted]
                    ),
                )
            except lmtp.LmtpUnavailable as exc:
                message.last_error = f"Dovecot LMTP unavailable: {exc}"
                raise DeliveryDeferred(message.last_error) from exc
            _fault_pause()
            message.delivered_to += [users[user] for user in outcome.delivered]
            _record_outcome(message, list(users.values()))
            errors.update({users[u]: reason for u, reason in outcome.rejected.items()})
            if outcome.deferred:
                deferred = True
                errors.update({users[u]: reason for u, reason in outcome.deferred.items()})
        for plan in plans:
            if not plan.plain:
                deferred = _store_by_append(message, stamped, plan, errors, unsure) or deferred

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


def _stamped(raw: bytes, message: SpooledMessage) -> bytes:
    eol = b"\r\n" if b"\r\n" in raw[:4096] else b"\n"
    return f"{DELIVERY_HEADER}: {message.id}".encode() + eol + raw


def _mark_in_flight(message: SpooledMessage, addresses: list[str]) -> None:
    """Committed before Dovecot may store anything: a crash from here on leaves a trace."""
    message.in_flight = sorted(set(message.in_flight) | set(addresses))
    message.save(update_fields=["in_flight", "updated_at"])


def _record_outcome(message: SpooledMessage, addresses: list[str]) -> None:
    """Dovecot answered for these: what it stored is recorded, none is in flight any more."""
    answered = set(addresses)
    message.in_flight = [a for a in message.in_flight if a not in answered]
    message.save(update_fields=["delivered_to", "in_flight", "updated_at"])


def _fault_pause() -> None:
    if settings.DELIVERY_FAULT_PAUSE_SECONDS:  # tests only: the window a crash can hit
        time.sleep(settings.DELIVERY_FAULT_PAUSE_SECONDS)


def _holds_copy(box, message: SpooledMessage, folder: str) -> bool:
    # A day earlier: the server's calendar day may not be ours.
    since = (message.received_at - timedelta(days=1)).date()
    return box.holds_header(folder, DELIVERY_HEADER, str(message.id), since=since)


def _already_stored(message: SpooledMessage, plan: RecipientPlan, unsure: set[str]) -> bool:
    """For a recipient an earlier attempt left in flight: is its copy already in the INBOX?
    Then it is recorded as served rather than stored twice. Only after a crash: the common
    path asks Dovecot nothing more."""
    if plan.address not in unsure:
        return False
    try:
        with imap_session(plan.mailbox.imap_user) as box:
            found = _holds_copy(box, message, "INBOX")
    except (MailStoreUnavailable, InvalidRequest) as exc:
        # Not knowing, storing again could make a duplicate: wait until Dovecot can tell.
        message.last_error = f"{plan.address}: cannot check an earlier delivery: {exc}"
        raise DeliveryDeferred(message.last_error) from exc
    if found:
        logger.info("spool %s: %s already had its copy", message.id, plan.address)
        message.delivered_to.append(plan.address)
        _record_outcome(message, [plan.address])
    return found


def _carry_out_side_effects(message: SpooledMessage, raw: bytes, plan: RecipientPlan) -> None:
    """Forwards and the absence reply, before storing: each is spooled at most once, so a
    retried delivery that comes here again sends nothing twice."""
    if plan.notes:
        logger.info("spool %s for %s: %s", message.id, plan.address, "; ".join(plan.notes))
    try:
        for target in plan.forward_to:
            forwarding.forward_copy(
                raw,
                mailbox=plan.mailbox,
                mail_from=message.mail_from,
                to=target,
                origin_id=message.id,
            )
        if plan.vacation is not None:
            vacation.reply_if_due(
                plan.vacation, raw, mail_from=message.mail_from, origin_id=message.id
            )
    except (OSError, DatabaseError) as exc:
        message.last_error = f"{plan.address}: could not spool a forward or reply: {exc}"
        raise DeliveryDeferred(message.last_error) from exc


def _store_by_append(
    message: SpooledMessage,
    raw: bytes,
    plan: RecipientPlan,
    errors: dict[str, str],
    unsure: set[str],
) -> bool:
    """IMAP APPEND into each folder of the plan with its flags; returns True when Dovecot
    is unreachable and the recipient must be tried again. A folder an earlier, interrupted
    attempt already stored into is skipped."""
    if not plan.folders:  # only sent on, without a copy here
        message.delivered_to.append(plan.address)
        return False
    checking = plan.address in unsure
    try:
        with imap_session(plan.mailbox.imap_user) as box:
            if not checking:
                _mark_in_flight(message, [plan.address])
            for folder in plan.folders:
                if checking and _holds_copy(box, message, folder):
                    continue
                try:
                    box.deliver_into(folder, raw, flags=plan.flags)
                except InvalidRequest:
                    if folder == "INBOX":
                        raise
                    # A folder name the server refuses: the INBOX rather than nowhere.
                    logger.warning("spool %s: %s refused, INBOX instead", message.id, folder)
                    if not (checking and _holds_copy(box, message, "INBOX")):
                        box.deliver_into("INBOX", raw, flags=plan.flags)
    except MailStoreUnavailable as exc:
        errors[plan.address] = f"IMAP unavailable: {exc}"
        return True
    except InvalidRequest as exc:
        errors[plan.address] = f"refused by the mail store: {exc}"
        _record_outcome(message, [plan.address])
        return False
    _fault_pause()
    message.delivered_to.append(plan.address)
    _record_outcome(message, [plan.address])
    return False


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
