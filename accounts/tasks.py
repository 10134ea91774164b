"""Celery tasks of the accounts: thin, idempotent."""

from celery import shared_task

from accounts import inactivity, lockout


@shared_task
def suspend_inactive_accounts() -> dict:
    return inactivity.run()


@shared_task
def forget_expired_login_counters() -> int:
    return lockout.forget_expired()
