"""Enqueue Celery tasks by name, only once the surrounding transaction has committed."""

from functools import partial

from django.db import transaction

from convergence.celery import app


def enqueue_on_commit(task_name: str, *args, countdown: float | None = None, **kwargs) -> None:
    """The worker loads rows by id, so it must never run before they exist.

    By name («mail.tasks.deliver»), so that a service never imports a tasks module (which
    imports the services it runs: a cycle). A broker outage is logged, not raised: every
    queued job is also recorded in the database, and a periodic sweep queues it again.
    """
    send = partial(_send, task_name, args, kwargs, countdown)
    transaction.on_commit(send, robust=True)


def _send(task_name: str, args, kwargs, countdown) -> None:
    if task_name not in app.tasks:
        app.loader.import_default_modules()  # the tasks modules are discovered lazily
    # The registered task, so its own options apply (send_task would bypass them).
    app.tasks[task_name].apply_async(args=args, kwargs=kwargs, countdown=countdown)
