"""Celery tasks of the agenda: thin, idempotent, queued by Radicale's hook by name."""

from celery import shared_task

from calendar_app.index import reindex_collection
from calendar_app.models import Subscription
from calendar_app.reminders import send_due_reminders
from calendar_app.subscriptions import queue_due_refreshes, refresh


@shared_task(name="calendar_app.tasks.collection_changed", ignore_result=True)
def collection_changed(username: str, collection: str) -> int:
    """A change in the store (web or phone): bring the derived index up to date."""
    return reindex_collection(username, collection)


@shared_task(name="calendar_app.tasks.send_reminders", ignore_result=True)
def send_reminders() -> int:
    """Beat: the reminders due now, each once."""
    return send_due_reminders()


@shared_task(name="calendar_app.tasks.refresh_subscriptions", ignore_result=True)
def refresh_subscriptions() -> int:
    """Beat: queue a refresh of each subscribed .ics not refreshed for a while."""
    return queue_due_refreshes()


@shared_task(name="calendar_app.tasks.refresh_subscription", ignore_result=True)
def refresh_subscription(subscription_id: int) -> None:
    subscription = Subscription.objects.select_related("owner").filter(pk=subscription_id).first()
    if subscription is not None:
        refresh(subscription)
