"""Celery tasks of the agenda: thin, idempotent, queued by Radicale's hook by name."""

from celery import shared_task

from calendar_app.index import reindex_collection


@shared_task(name="calendar_app.tasks.collection_changed", ignore_result=True)
def collection_changed(username: str, collection: str) -> int:
    """A change in the store (web or phone): bring the derived index up to date."""
    return reindex_collection(username, collection)
