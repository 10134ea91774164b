"""Radicale hook plugin (``[hook] type = dav.radicale_hook``): every change, from the web or a
phone, queues ``calendar_app.tasks.collection_changed`` for the worker (by name: Radicale
does not import the app's tasks)."""

import logging

from radicale import hook

from dav.in_radicale import setup_django

setup_django()

from convergence.celery import app  # noqa: E402

logger = logging.getLogger(__name__)
TASK = "calendar_app.tasks.collection_changed"


class Hook(hook.BaseHook):
    @property
    def enabled(self) -> bool:
        return True

    def notify(self, notification_item) -> None:
        owner, _, collection = notification_item.point.partition("/")
        if not owner or not collection:
            return
        try:
            app.send_task(TASK, args=[owner, collection], retry=False)
        except Exception:
            # The change is stored; the next change of this collection catches the index up.
            logger.exception("could not queue %s for %s", TASK, notification_item.point)
