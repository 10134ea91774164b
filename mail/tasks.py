"""Celery tasks of the mail pipeline: thin, idempotent, loading rows by id."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings

from mail import delivery


@shared_task(
    autoretry_for=(delivery.DeliveryDeferred,),
    retry_backoff=1,
    retry_backoff_max=60,
    retry_jitter=False,
    max_retries=None,
)
def deliver(spool_id: str) -> None:
    delivery.deliver_spooled(spool_id)


@shared_task
def requeue_stalled_spool() -> int:
    """Safety net: queue again whatever the broker or a killed worker dropped."""
    ids = delivery.stalled_spool_ids(timedelta(seconds=settings.SPOOL_STALLED_SECONDS))
    for spool_id in ids:
        deliver.delay(spool_id)
    return len(ids)
