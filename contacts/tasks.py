"""Celery tasks of the address book: thin, idempotent, queued by name."""

from celery import shared_task

from contacts import collected
from contacts.index import reindex_book


@shared_task(name="contacts.tasks.address_book_changed", ignore_result=True)
def address_book_changed(username: str, book: str) -> int:
    """A change in the store (web or phone): bring the derived index up to date."""
    return reindex_book(username, book)


@shared_task(name="contacts.tasks.collect_addresses", ignore_result=True)
def collect_addresses(user_id: int, addresses: list[str]) -> int:
    """People one wrote to, kept in «Adresses collectées» unless already among the contacts."""
    return collected.collect(user_id, addresses)
