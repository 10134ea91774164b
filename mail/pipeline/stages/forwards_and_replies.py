"""Forwards and the absence reply, before storing: each is spooled at most once (a fixed
spool id), so a retried delivery that comes here again sends nothing twice."""

import logging

from django.db import DatabaseError

from mail.pipeline import forwarding, vacation
from mail.pipeline.context import DeliveryDeferred

logger = logging.getLogger(__name__)


def process(context) -> None:
    message = context.message
    for plan in context.plans:
        if plan.notes:
            logger.info("spool %s for %s: %s", message.id, plan.address, "; ".join(plan.notes))
        try:
            for target in plan.forward_to:
                forwarding.forward_copy(context.raw, mailbox=plan.mailbox,
                                        mail_from=message.mail_from, to=target,
                                        origin_id=message.id)  # fmt: skip
            if plan.vacation is not None:
                vacation.reply_if_due(
                    plan.vacation, context.parsed, mail_from=message.mail_from, origin_id=message.id
                )
        except (OSError, DatabaseError) as exc:
            message.last_error = f"{plan.address}: could not spool a forward or reply: {exc}"
            raise DeliveryDeferred(message.last_error) from exc
