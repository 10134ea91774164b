"""Messages delivery gave up on (DELIVERY_MAX_ATTEMPTS): listed for IT support, who can retry.

The spooled bytes of a dead letter are kept, so a retry delivers the very bytes that were accepted.
"""

import logging

from django.db import transaction
from django.utils import timezone

from accounts.audit import Kind, record
from accounts.models import User
from convergence.queueing import enqueue_on_commit
from mail.models import SpooledMessage

logger = logging.getLogger(__name__)


def can_see_dead_letters(user) -> bool:
    return user.is_authenticated and user.category == User.Category.IT_SUPPORT


def dead_letters():
    return SpooledMessage.objects.filter(status=SpooledMessage.Status.DEAD).order_by("-updated_at")


def retry_dead_letter(*, spool_id, actor, request=None) -> bool:
    """Back to pending with a fresh count of attempts, and queued; False if it is not (or no
    longer) a dead letter, e.g. someone else retried it a moment ago."""
    with transaction.atomic():
        message = dead_letters().select_for_update().filter(id=spool_id).first()
        if message is None:
            return False
        SpooledMessage.objects.filter(id=message.id).update(
            status=SpooledMessage.Status.PENDING,
            attempts=0,
            claimed_until=None,
            updated_at=timezone.now(),
        )
        record(
            Kind.SUPPORT_ACTION,
            actor=actor,
            request=request,
            reason="Nouvelle tentative de distribution d'un message en échec",
            spool_id=str(message.id),
            mail_from=message.mail_from,
            recipients=message.recipients,
            last_error=message.last_error[:500],
        )
        enqueue_on_commit("mail.tasks.deliver", str(message.id))
    logger.info("spool %s: retried by %s", message.id, actor.username)
    return True
