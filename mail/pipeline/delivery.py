"""Deliver what the gateway spooled: claim it, run the stages (mail/pipeline/stages/), record
the outcome; retries, and dead letters after ``DELIVERY_MAX_ATTEMPTS``."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from convergence.claims import unclaimed
from mail.models import SpooledMessage, stored
from mail.pipeline.context import DeliveryContext, DeliveryDeferred
from mail.pipeline.spool import discard_spooled
from mail.pipeline.stages import STAGES

logger = logging.getLogger(__name__)


def _claim(spool_id) -> bool:
    now = timezone.now()
    return bool(
        SpooledMessage.objects.filter(id=spool_id, status=SpooledMessage.Status.PENDING)
        .filter(unclaimed(now))
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
        # Dead letter: no more retries; IT support sees it and can retry (dead_letters.py).
        message.status = SpooledMessage.Status.DEAD
        logger.error("spool %s: given up after %d attempts: %s", spool_id, message.attempts,
                     message.last_error)  # fmt: skip
    finally:
        message.claimed_until = None
        _record(message)


# The bytes stay for a retry, IT support's retry of a dead letter, or inspection (captured).
_KEPT = {SpooledMessage.Status.PENDING, SpooledMessage.Status.DEAD, SpooledMessage.Status.CAPTURED}


def _record(message: SpooledMessage) -> None:
    """The outcome, and the bytes freed once done, in one transaction: a worker killed in
    between leaves both (the message is retried), never a pending row without its bytes."""
    with transaction.atomic():
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
        if message.status not in _KEPT:
            discard_spooled(message)


def _deliver(message: SpooledMessage) -> None:
    """The runner: the stages in order, one context passed along (see stages/)."""
    try:
        context = DeliveryContext.load(message)
    except stored.ContentMissing:
        message.status = SpooledMessage.Status.FAILED
        message.last_error = "spooled bytes missing"
        logger.error("spool %s: %s", message.id, message.last_error)
        return
    for stage in STAGES:
        stage.process(context)
    _finish(context)


def _finish(context: DeliveryContext) -> None:
    message, errors, external = context.message, context.errors, context.external
    message.last_error = "; ".join(f"{rcpt}: {why}" for rcpt, why in sorted(errors.items()))
    if context.deferred:
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


def stalled_spool_ids(older_than: timedelta) -> list[str]:
    """Pending messages that nobody is working on (broker lost the task, worker killed)."""
    now = timezone.now()
    return [
        str(pk)
        for pk in SpooledMessage.objects.filter(
            status=SpooledMessage.Status.PENDING, updated_at__lt=now - older_than
        )
        .filter(unclaimed(now))
        .values_list("id", flat=True)
    ]
