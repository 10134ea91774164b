"""Each person's read-only address book of their établissement's staff: written from the
directory by the web app, read by the phone, refused to any write from the phone; it follows
the directory (a change, a departure, another établissement) and costs nothing when nothing
changed."""

import pytest
from django.conf import settings
from django.db import transaction

from contacts import staff
from contacts.models import BookState
from convergence.queueing import enqueue_on_commit
from dav.carddav import carddav_session
from directory.models import Etablissement, Person
from tests.conftest import PASSWORD, wait_for
from tests.contacts_helpers import empty_store, phone_book, vcard3  # noqa: F401 - fixture

pytestmark = pytest.mark.usefixtures("empty_store")
BOOK = "etablissement-0311234y"


def _names(login: str, book: str = BOOK) -> list[str]:
    with carddav_session(login) as store:
        texts = [r.text for r in store.cards(book).resources]
    return sorted(line[3:] for t in texts for line in t.splitlines() if line.startswith("FN:"))


def test_the_staff_book_is_written_from_the_directory_and_read_only_on_the_phone(
    live_server, prof, colleague
):
    Person.objects.filter(user=colleague).update(phone="05 61 00 00 01")
    assert staff.sync_person(prof) == 2
    assert _names("prof.demo") == ["Camille Martin", "Louis Bernard"]
    with carddav_session("prof.demo") as store:
        books = {b.name: b.display_name for b in store.address_books()}
        card = next(r.text for r in store.cards(BOOK).resources if "Louis" in r.text)
    assert books[BOOK] == "Personnel — Lycée Pierre-de-Fermat"
    assert "TEL;TYPE=WORK:05 61 00 00 01" in card
    assert f"collegue.demo@{settings.MAIL_DOMAIN}" in card

    book = phone_book(live_server, "prof.demo", PASSWORD, BOOK)
    [href, _] = sorted(book.hrefs(), key=lambda h: h != f"{colleague.pk}.vcf")
    assert "Louis Bernard" in book.get(href)  # the phone reads it…
    assert book.put(href, book.get(href).replace("Bernard", "Pirate")) == 403  # …never writes
    assert book.put("nouveau.vcf", vcard3("x", "Intrus Nouveau", "x@example.org")) == 403
    assert book.delete(href) == 403
    assert book.delete() == 403  # nor deletes the book
    assert book.mkcol(f"{live_server.url}/dav/prof.demo/etablissement-9999999z/") == 403
    assert "Louis Bernard" in book.get(href)
    # Its own address books stay writable.
    mine = phone_book(live_server, "prof.demo", PASSWORD, "contacts")
    with carddav_session("prof.demo") as store:
        store.make_address_book("contacts", "Contacts")
    assert mine.put("a.vcf", vcard3("a", "Anne Leroy", "anne@example.org")) == 201


def test_the_book_follows_the_directory_and_costs_nothing_unchanged(prof, colleague):
    staff.sync_person(prof)
    assert staff.sync_person(prof) == 0  # nothing changed: nothing written
    colleague.last_name = "Bernard-Roux"
    colleague.save()
    assert staff.sync_person(prof) == 1
    assert _names("prof.demo") == ["Camille Martin", "Louis Bernard-Roux"]
    colleague.is_active = False  # left the académie
    colleague.save()
    assert staff.sync_person(prof) == 1
    assert _names("prof.demo") == ["Camille Martin"]

    other = Etablissement.objects.create(uai="0310001A", name="Collège Vauquelin", kind="college")
    prof.etablissement = other
    prof.save()
    Person.objects.get(user=prof).etablissements.remove(
        Etablissement.objects.get(uai="0311234Y"))  # fmt: skip
    staff.sync_person(prof)
    with carddav_session("prof.demo") as store:
        names = [b.name for b in store.address_books()]
    assert "etablissement-0310001a" in names and BOOK not in names
    assert not BookState.objects.filter(owner=prof, book=BOOK).exists()


def test_the_nightly_job_is_scheduled_and_the_worker_runs_it(prof, colleague, worker):
    job = settings.CELERY_BEAT_SCHEDULE["sync-staff-address-books"]
    assert job["task"] == "contacts.tasks.sync_staff_books"
    with transaction.atomic():  # as the HR import queues it, once its changes are committed
        enqueue_on_commit("contacts.tasks.sync_staff_books")
    wait_for(lambda: BookState.objects.filter(owner=colleague, book=BOOK).exists())
    assert _names("collegue.demo") == ["Camille Martin", "Louis Bernard"]
