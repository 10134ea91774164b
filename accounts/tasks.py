"""Celery tasks of the accounts: thin, idempotent."""

from celery import shared_task

from accounts import account_mail, inactivity
from mail.transport import smtp


@shared_task(
    autoretry_for=(smtp.GatewayUnavailable,),
    retry_backoff=2,
    retry_backoff_max=120,
    retry_jitter=False,
    max_retries=20,
)
def send_account_mail(to: list[str], subject: str, body: str) -> None:
    account_mail.send_now(to=to, subject=subject, body=body)


@shared_task
def suspend_inactive_accounts() -> dict:
    return inactivity.run()
