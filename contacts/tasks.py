"""Celery tasks of the address book: thin, idempotent, queued by name."""

from celery import shared_task
from django.contrib.auth import get_user_model

from contacts import collected, importing, staff
from contacts.index import reindex_book
from convergence.queueing import enqueue_on_commit


@shared_task(name="contacts.tasks.address_book_changed", ignore_result=True)
def address_book_changed(username: str, book: str) -> int:
    """A change in the store (web or phone): bring the derived index up to date. The staff
    books are the directory's own people: not indexed a second time."""
    return 0 if staff.is_staff_book(book) else reindex_book(username, book)


@shared_task(name="contacts.tasks.collect_addresses", ignore_result=True)
def collect_addresses(user_id: int, addresses: list[str]) -> int:
    """People one wrote to, kept in «Adresses collectées» unless already among the contacts."""
    return collected.collect(user_id, addresses)


@shared_task(name="contacts.tasks.sync_staff_books", ignore_result=True)
def sync_staff_books() -> int:
    """Nightly, and after an HR import: the read-only staff books follow the directory."""
    return staff.sync_everyone()


@shared_task(name="contacts.tasks.sync_staff_books_of", ignore_result=True)
def sync_staff_books_of(user_id: int) -> int:
    user = get_user_model().objects.filter(pk=user_id).first()
    return staff.sync_person(user) if user is not None else 0


@shared_task(name="contacts.tasks.run_import", ignore_result=True)
def run_import(import_id: int) -> None:
    """One chunk of an import, then the next one queued (a restart resumes where it ended)."""
    if importing.run_chunk(import_id):
        enqueue_on_commit("contacts.tasks.run_import", import_id)
