"""Celery tasks of the accounts: thin, idempotent."""

from celery import shared_task

from accounts import inactivity


@shared_task
def suspend_inactive_accounts() -> dict:
    return inactivity.run()
