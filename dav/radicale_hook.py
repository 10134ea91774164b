"""Radicale hook plugin (``[hook] type = dav.radicale_hook``): every change, from the web or a
phone, queues a task for the worker (by name: Radicale does not import the apps' tasks):
``contacts.tasks.address_book_changed`` for a vCard, ``calendar_app.tasks.collection_changed``
for anything else. Before that, a calendar's change count (dav/changes.py) is raised, in the
request itself: the web agenda reads its index only while the count says it is current."""

import logging

from radicale import hook
from radicale.hook import HookNotificationItemTypes

from dav import read_only
from dav.in_radicale import is_web_app, request_database, setup_django

setup_django()

from django.db import transaction  # noqa: E402

from convergence.celery import app  # noqa: E402
from dav import changes  # noqa: E402

logger = logging.getLogger(__name__)
TASK = "calendar_app.tasks.collection_changed"
CARD_TASK = "contacts.tasks.address_book_changed"


class Hook(hook.BaseHook):
    @property
    def enabled(self) -> bool:
        return True

    def notify(self, notification_item) -> None:
        owner, _, collection = notification_item.point.partition("/")
        if not owner or not collection or read_only.is_derived_copy(collection):
            return  # written by the web app from its source (a shared calendar, the holidays)
        if notification_item.is_card_item and is_web_app():
            return  # the web app indexes the cards it writes itself (an import writes thousands)
        if not notification_item.is_card_item:
            renamed = notification_item.type == HookNotificationItemTypes.CPATCH.value
            # Renamed or recoloured: the list of calendars changed too.
            self._count(owner, [collection, changes.HOME] if renamed else [collection])
        task = CARD_TASK if notification_item.is_card_item else TASK
        try:
            app.send_task(task, args=[owner, collection], retry=False)
        except Exception:
            # The change is stored; the next change of this collection catches the index up.
            logger.exception("could not queue %s for %s", task, notification_item.point)

    @staticmethod
    def _count(owner: str, collections: list[str]) -> None:
        # One transaction: on SQLite, where a writer elsewhere makes each statement wait up to
        # the busy timeout, the request waits once, not once per count.
        try:
            with request_database(), transaction.atomic():
                for collection in collections:
                    changes.bump(owner, collection)
        except Exception:
            # The database is down: the change is stored, and Radicale's auth (same database)
            # refuses the next requests until it is back. Logged, not raised: the client has
            # written its change and must not retry it.
            logger.exception("could not count the change of %s/%s", owner, collections[0])
