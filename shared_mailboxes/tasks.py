"""Celery tasks of shared mailboxes: thin, idempotent."""

from celery import shared_task

from shared_mailboxes import expiry


# Named as when the mail app hosted it: beat schedules and queued tasks keep working.
@shared_task(name="mail.tasks.end_expired_delegations")
def end_expired_delegations() -> int:
    return expiry.end_expired_delegations()
