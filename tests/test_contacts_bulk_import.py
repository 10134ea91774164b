"""A large import writes the whole book at once (Radicale's PUT of a collection), chunk after
chunk: the cards already there (a phone's, with its photo) are kept, the index follows, the same
file again updates without doubling, and a phone writing meanwhile loses nothing."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from contacts import importing
from contacts.index import reindex_book
from contacts.models import ContactImport, IndexedContact
from contacts.services import CONTACTS, ensure_books
from dav.carddav import carddav_session
from tests.contacts_helpers import empty_store  # noqa: F401 - fixture

pytestmark = pytest.mark.usefixtures("empty_store")
ROWS = 1200
PHONE_CARD = ("BEGIN:VCARD\r\nVERSION:3.0\r\nUID:du-telephone\r\nFN:Zoé Téléphone\r\n"
              "N:Téléphone;Zoé;;;\r\nEMAIL:zoe@example.org\r\nPHOTO;ENCODING=b;TYPE=JPEG:"
              + "QUJD" * 20 + "\r\nX-PHONE-THING:gardé\r\nEND:VCARD\r\n")  # fmt: skip


@pytest.fixture
def small_chunks(monkeypatch):
    """Whole-book writes from 100 rows on, 300 rows first: three chunks for 1,200 rows (300,
    then twice the 301 cards of the book, then the rest)."""
    monkeypatch.setattr(importing, "BULK_MIN", 100)
    monkeypatch.setattr(importing, "BULK_FIRST", 300)


def _csv(rows: int) -> bytes:
    lines = ["First Name,Last Name,E-mail 1 - Value"]
    lines += [f"Prénom{n},Nom{n},personne{n}@example.org" for n in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def _start(user) -> ContactImport:
    imp = importing.start(user, SimpleUploadedFile("grand.csv", _csv(ROWS)))
    imp.status = ContactImport.Status.RUNNING  # as confirm() does; the test is the worker
    imp.save()
    return imp


def _unfolded(login: str) -> dict[str, str]:
    with carddav_session(login) as store:
        return {r.href: re.sub(r"\r?\n[ \t]", "", r.text)
                for r in store.cards(CONTACTS).resources}


def test_a_large_import_writes_whole_books_keeps_what_was_there_and_is_idempotent(
        client, prof, small_chunks):  # fmt: skip
    ensure_books(prof)
    with carddav_session(prof.username) as store:
        store.put(CONTACTS, "du-telephone.vcf", PHONE_CARD, etag=None)
    client.force_login(prof)
    imp = _start(prof)

    assert importing.run_chunk(imp.pk) is True
    imp.refresh_from_db()
    assert (imp.done, imp.created) == (300, 300)
    status = client.get(f"/contacts/importer/{imp.pk}/suivi/").content.decode()
    assert "300 lignes traitées sur 1200" in status.replace("\u202f", "")
    assert IndexedContact.objects.filter(owner=prof, book=CONTACTS).count() == 301
    assert importing.run_chunk(imp.pk) is True
    imp.refresh_from_db()
    assert imp.done == 300 + 2 * 301
    assert importing.run_chunk(imp.pk) is False
    imp.refresh_from_db()
    assert (imp.status, imp.done, imp.created, imp.updated, imp.problems) == (
        "done", ROWS, ROWS, 0, [])
    cards = _unfolded(prof.username)
    assert len(cards) == ROWS + 1
    phone = next(text for text in cards.values() if "UID:du-telephone" in text)
    assert "QUJD" * 20 in phone and "X-PHONE-THING:gardé" in phone
    with carddav_session(prof.username) as store:  # the book keeps its name
        assert {b.name: b.display_name for b in store.address_books()}[CONTACTS] == "Contacts"
    rows = IndexedContact.objects.filter(owner=prof, book=CONTACTS)
    assert sorted(rows.values_list("href", flat=True)) == sorted(cards)
    assert "personne1199@example.org" in client.get("/contacts/?q=personne1199").content.decode()

    again = _start(prof)
    while importing.run_chunk(again.pk):
        pass
    again.refresh_from_db()
    assert (again.created, again.updated, again.problems) == (0, ROWS, [])
    assert len(_unfolded(prof.username)) == ROWS + 1
    assert rows.count() == ROWS + 1
    assert rows.filter(email_key__contains=" personne42@example.org ").count() == 1


def test_a_phone_writing_during_the_import_loses_nothing(prof, small_chunks, monkeypatch):
    """The whole book is written only if nothing changed since it was read: a card a phone adds
    in between makes the write fail (412), and the chunk is merged again with it."""
    ensure_books(prof)
    writes = []

    def phone_writes_once(username, book, **kwargs):
        if not writes:
            with carddav_session(username) as store:
                writes.append(store.put(CONTACTS, "du-telephone.vcf", PHONE_CARD, etag=None))
        return reindex_book(username, book, **kwargs)

    monkeypatch.setattr(importing, "reindex_book", phone_writes_once)
    imp = _start(prof)
    while importing.run_chunk(imp.pk):
        pass
    imp.refresh_from_db()
    assert writes and (imp.created, imp.problems) == (ROWS, [])
    cards = _unfolded(prof.username)
    assert len(cards) == ROWS + 1
    assert any("UID:du-telephone" in text for text in cards.values())


def test_the_index_drops_rows_of_a_book_written_whole(prof):
    """A sync token the server no longer knows (the book was replaced) gives a whole listing:
    rows of cards that are gone leave the index."""
    ensure_books(prof)
    with carddav_session(prof.username) as store:
        store.put(CONTACTS, "ancien.vcf", PHONE_CARD.replace("du-telephone", "ancien"),
                  etag=None)  # fmt: skip
    reindex_book(prof.username, CONTACTS)
    with carddav_session(prof.username) as store:
        store.replace_book(CONTACTS, [PHONE_CARD], store.book_state(CONTACTS))
    reindex_book(prof.username, CONTACTS)
    rows = IndexedContact.objects.filter(owner=prof, book=CONTACTS)
    assert list(rows.values_list("uid", flat=True)) == ["du-telephone"]
