"""Enqueue Celery tasks only once the surrounding transaction has committed."""

from functools import partial

from django.db import transaction


def enqueue_on_commit(task, *args, countdown: float | None = None, **kwargs) -> None:
    """The worker loads rows by id, so it must never run before they exist.

    A broker outage is logged, not raised: every queued job is also recorded in the database,
    and a periodic sweep queues it again.
    """
    send = partial(task.apply_async, args=args, kwargs=kwargs, countdown=countdown)
    transaction.on_commit(send, robust=True)
