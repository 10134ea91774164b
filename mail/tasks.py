"""Celery tasks of the mail pipeline: thin, idempotent, loading rows by id."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings

from accounts import account_mail
from mail.models import stored
from mail.outgoing import sending, shared_files
from mail.pipeline import delivery, filters
from mail.pipeline.context import DeliveryDeferred
from mail.transport import smtp


@shared_task(
    autoretry_for=(DeliveryDeferred,),
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


@shared_task(
    autoretry_for=(sending.SendingDeferred,),
    retry_backoff=2,
    retry_backoff_max=120,
    retry_jitter=False,
    max_retries=None,
)
def send_outgoing(outgoing_id: int) -> None:
    sending.do_send_message(outgoing_id)


@shared_task
def send_waiting_messages() -> int:
    """Safety net for messages written in the web app whose task was lost."""
    ids = sending.waiting_ids(timedelta(seconds=settings.SPOOL_STALLED_SECONDS))
    for outgoing_id in ids:
        send_outgoing.delay(outgoing_id)
    return len(ids)


@shared_task
def send_due_messages() -> int:
    """Scheduled and held messages live in the database; they are queued once due."""
    ids = sending.due_ids()
    for outgoing_id in ids:
        send_outgoing.delay(outgoing_id)
    return len(ids)


@shared_task
def purge_expired_stored_files() -> int:
    """Links past their date and uploads nobody confirmed in time free their storage."""
    return shared_files.purge_expired() + stored.purge_expired_uploads()


@shared_task
def apply_rule(run_id: int) -> None:
    """«Appliquer maintenant»: one rule over one folder, with its progress on the row."""
    filters.do_apply_rule(run_id)


@shared_task(
    name="accounts.tasks.send_account_mail",
    autoretry_for=(smtp.GatewayUnavailable,),
    retry_backoff=2,
    retry_backoff_max=120,
    retry_jitter=False,
    max_retries=20,
)
def send_account_mail(to: list[str], subject: str, body: str) -> None:
    """Mail about one's account, queued by name by ``accounts.account_mail``: the mail app
    sends it, so accounts (identity) imports nothing of mail. The name is the original one."""
    smtp.submit_system(account_mail.build(to=to, subject=subject, body=body), recipients=to)
