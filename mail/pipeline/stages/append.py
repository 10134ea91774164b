"""Plans with folders or flags (rules): IMAP APPEND into each folder, with the flags and
keywords. A folder an earlier, interrupted attempt already stored into is skipped."""

import logging

from mail.imap import InvalidRequest, MailStoreUnavailable, imap_session
from mail.pipeline.in_flight import fault_pause, holds_copy, mark_in_flight, record_outcome

logger = logging.getLogger(__name__)


def process(context) -> None:
    for plan in context.plans:
        if not plan.plain and _store(context, plan):
            context.deferred = True


def _store(context, plan) -> bool:
    """True when Dovecot is unreachable and the recipient must be tried again."""
    message, raw = context.message, context.stamped
    if not plan.folders:  # only sent on, without a copy here
        message.delivered_to.append(plan.address)
        return False
    checking = plan.address in context.unsure
    try:
        with imap_session(plan.mailbox.imap_user) as box:
            if not checking:
                mark_in_flight(message, [plan.address])
            for folder in plan.folders:
                if checking and holds_copy(box, message, folder):
                    continue
                try:
                    box.deliver_into(folder, raw, flags=plan.flags)
                except InvalidRequest:
                    if folder == "INBOX":
                        raise
                    # A folder name the server refuses: the INBOX rather than nowhere.
                    logger.warning("spool %s: %s refused, INBOX instead", message.id, folder)
                    if not (checking and holds_copy(box, message, "INBOX")):
                        box.deliver_into("INBOX", raw, flags=plan.flags)
    except MailStoreUnavailable as exc:
        context.errors[plan.address] = f"IMAP unavailable: {exc}"
        return True
    except InvalidRequest as exc:
        context.errors[plan.address] = f"refused by the mail store: {exc}"
        record_outcome(message, [plan.address])
        return False
    fault_pause()
    message.delivered_to.append(plan.address)
    record_outcome(message, [plan.address])
    return False
