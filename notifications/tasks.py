"""Celery tasks of the notifications: thin, idempotent."""

from celery import shared_task

from notifications import digest


@shared_task
def send_digests() -> int:
    return digest.send_due_digests()
