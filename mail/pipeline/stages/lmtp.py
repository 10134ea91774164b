"""Plain plans (INBOX, no flags) and spam copies: one LMTP transaction for every mailbox,
however long the list (RFC 2033), with one reply per recipient."""

import logging

from mail.imap import InvalidRequest, MailStoreUnavailable, imap_session
from mail.pipeline.context import DeliveryDeferred
from mail.pipeline.in_flight import fault_pause, holds_copy, mark_in_flight, record_outcome
from mail.transport import lmtp

logger = logging.getLogger(__name__)


def process(context) -> None:
    if not context.local:
        return
    message = context.message
    plain = [p for p in context.plans if p.plain and not _already_stored(context, p)]
    users = {p.mailbox.imap_user: p.address for p in plain}
    # Spam copies are not looked for after a crash: at worst, one spam twice in Junk.
    users.update({context.targets[m.imap_user]: m.address for m in context.junk})
    if not users:
        return
    try:
        outcome = lmtp.lmtp_deliver(
            context.stamped,
            mail_from=message.mail_from,
            imap_users=list(users),
            before_data=lambda accepted: mark_in_flight(message, [users[u] for u in accepted]),
        )
    except lmtp.LmtpUnavailable as exc:
        message.last_error = f"Dovecot LMTP unavailable: {exc}"
        raise DeliveryDeferred(message.last_error) from exc
    fault_pause()
    message.delivered_to += [users[user] for user in outcome.delivered]
    record_outcome(message, list(users.values()))
    context.errors.update({users[u]: reason for u, reason in outcome.rejected.items()})
    if outcome.deferred:
        context.deferred = True
        context.errors.update({users[u]: reason for u, reason in outcome.deferred.items()})


def _already_stored(context, plan) -> bool:
    """For a recipient an earlier attempt left in flight: is its copy already in the INBOX?
    Then it is recorded as served rather than stored twice. Only after a crash: the common
    path asks Dovecot nothing more."""
    message = context.message
    if plan.address not in context.unsure:
        return False
    try:
        with imap_session(plan.mailbox.imap_user) as box:
            found = holds_copy(box, message, "INBOX")
    except (MailStoreUnavailable, InvalidRequest) as exc:
        # Not knowing, storing again could make a duplicate: wait until Dovecot can tell.
        message.last_error = f"{plan.address}: cannot check an earlier delivery: {exc}"
        raise DeliveryDeferred(message.last_error) from exc
    if found:
        logger.info("spool %s: %s already had its copy", message.id, plan.address)
        message.delivered_to.append(plan.address)
        record_outcome(message, [plan.address])
    return found
