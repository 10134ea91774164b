"""The address book's actions, on the CardDAV store through dav/carddav.py. The pages list and
search from the derived index (brought up to date before they read it) and read and write
the cards themselves on the store, with their ETags."""

from collections import defaultdict
from dataclasses import dataclass

from django.core.cache import cache
from django.utils.translation import pgettext

from contacts import vcard
from contacts.index import reindex_book
from contacts.models import BookState, IndexedContact
from convergence.queueing import enqueue_on_commit
from dav.carddav import DavNotFound, carddav_session
from directory.search import normalise, query_words

CONTACTS, COLLECTED = "contacts", "collectees"


@dataclass
class StoredCard:
    book: str
    href: str
    etag: str
    text: str
    contact: vcard.Contact


def ensure_books(user) -> None:
    """«Contacts» and «Adresses collectées» are created at first use."""
    with carddav_session(user.username) as store:
        names = {b.name for b in store.address_books()}
        if CONTACTS not in names:
            store.make_address_book(CONTACTS, pgettext("address book", "Contacts"))
        if COLLECTED not in names:
            store.make_address_book(COLLECTED, pgettext("address book", "Collected addresses"))


def refresh(user) -> None:
    """The books exist and the index has caught up with them (phones may have written); the
    staff books of one's établissements are written in the background at first use."""
    ensure_books(user)
    for book in (CONTACTS, COLLECTED):
        reindex_book(user.username, book)
    staff_books = BookState.objects.filter(owner=user, book__startswith="etablissement-")
    if not staff_books.exists() and cache.add(f"contacts:staff-first:{user.pk}", 1, 86400):
        enqueue_on_commit("contacts.tasks.sync_staff_books_of", user.pk)


def indexed(user, book: str, query: str = "", *, groups: bool = False):
    rows = IndexedContact.objects.filter(owner=user, book=book, is_group=groups)
    for word in query_words(query):
        rows = rows.filter(search_key__contains=f" {word}")
    return rows.order_by("name")


def find(user, book: str, href: str) -> StoredCard:
    if book not in (CONTACTS, COLLECTED):
        raise DavNotFound(book)
    with carddav_session(user.username) as store:
        resource = store.get(book, href)
    try:
        contact = vcard.parse(resource.text)
    except vcard.BadCard as exc:
        raise DavNotFound(href) from exc
    return StoredCard(book, href, resource.etag, resource.text, contact)


def save(user, contact: vcard.Contact, *, book: str = CONTACTS,
         stored: StoredCard | None = None) -> str:  # fmt: skip
    """Creates the card, or replaces ``stored`` if nobody changed it meanwhile (DavConflict
    otherwise); returns its href. The index is brought up to date at once."""
    if stored is None:
        contact.uid = contact.uid or vcard.new_uid()
        href, etag, original = f"{_safe(contact.uid)}.vcf", None, None
    else:
        contact.uid = stored.contact.uid
        href, etag, original = stored.href, stored.etag, stored.text
    with carddav_session(user.username) as store:
        store.put(book, href, vcard.write(contact, original), etag=etag)
    reindex_book(user.username, book)
    return href


def delete(user, stored: StoredCard) -> None:
    with carddav_session(user.username) as store:
        store.delete(stored.book, stored.href, etag=stored.etag)
    reindex_book(user.username, stored.book)


def _safe(uid: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "-" for c in vcard.member_key(uid))[:100]


def members_of(user, group: vcard.Contact) -> list[IndexedContact]:
    keys = [vcard.member_key(uid) for uid in group.members]
    rows = IndexedContact.objects.filter(owner=user, book=CONTACTS, is_group=False, uid__in=keys)
    return sorted(rows, key=lambda r: r.name.lower())


def keep_collected(user, stored: StoredCard) -> str:
    """A collected address becomes a chosen contact (moved, not copied)."""
    href = save(user, stored.contact, book=CONTACTS)
    delete(user, stored)
    return href


def duplicates(user) -> list[list[IndexedContact]]:
    """Contacts sharing an e-mail address or the same name (accents and case aside)."""
    rows = list(IndexedContact.objects.filter(owner=user, book=CONTACTS, is_group=False))
    parent = {r.pk: r.pk for r in rows}

    def root(pk):
        while parent[pk] != pk:
            pk = parent[pk]
        return pk

    seen: dict[str, int] = {}
    for row in rows:
        for key in [f"@{e}" for e in row.emails] + [f"n:{normalise(row.name)}"]:
            if key in ("n:", "@"):
                continue
            if key in seen:
                parent[root(row.pk)] = root(seen[key])
            else:
                seen[key] = row.pk
    sets: dict[int, list[IndexedContact]] = defaultdict(list)
    for row in rows:
        sets[root(row.pk)].append(row)
    return sorted((sorted(s, key=lambda r: r.name.lower()) for s in sets.values() if len(s) > 1),
                  key=lambda s: s[0].name.lower())  # fmt: skip


def _unique(items: list, key) -> list:
    found = {}
    for item in items:
        found.setdefault(key(item), item)
    return list(found.values())


def merge(user, hrefs: list[str]) -> str:
    """The first card keeps its UID and gains the others' addresses, phones, postal addresses
    and notes; the others are deleted and the groups that named them name it instead."""
    cards = [find(user, CONTACTS, href) for href in dict.fromkeys(hrefs)]
    kept, others = cards[0], cards[1:]
    merged = kept.contact
    for other in (c.contact for c in others):
        merged.emails = _unique(merged.emails + other.emails, lambda e: e.value.lower())
        merged.phones = _unique(merged.phones + other.phones,
                                lambda p: "".join(ch for ch in p.value if ch.isdigit()))
        merged.addresses = _unique(merged.addresses + other.addresses, lambda a: a.one_line())
        merged.organisation = merged.organisation or other.organisation
        merged.given, merged.family = merged.given or other.given, merged.family or other.family
        if other.note and other.note not in merged.note:
            merged.note = f"{merged.note}\n{other.note}".strip()
    save(user, merged, stored=kept)
    gone = {vcard.member_key(c.contact.uid) for c in others}
    for row in IndexedContact.objects.filter(owner=user, book=CONTACTS, is_group=True):
        if gone & set(row.members):
            group = find(user, CONTACTS, row.href)
            members = [vcard.member_key(m) for m in group.contact.members]
            group.contact.members = list(dict.fromkeys(
                vcard.member_key(merged.uid) if m in gone else m for m in members))
            save(user, group.contact, stored=group)
    for other in others:
        delete(user, other)
    return kept.href


def add_directory_person(user, entry) -> tuple[str, bool]:
    """A colleague of the directory among one's contacts (name, address, professional phone,
    établissements); the existing contact when one already has that address. Returns its
    href and whether it was created."""
    refresh(user)
    address = entry.user.email.lower()
    mine = IndexedContact.objects.filter(owner=user, book=CONTACTS, is_group=False)
    existing = mine.filter(email_key__contains=f" {address} ").first()
    if existing is not None:
        return existing.href, False
    contact = vcard.Contact(
        given=entry.user.first_name, family=entry.user.last_name,
        organisation=", ".join(e.name for e in entry.etablissements.all()),
        emails=[vcard.Labelled("work", entry.user.email)],
        phones=[vcard.Labelled("work", entry.phone)] if entry.phone else [],
    )  # fmt: skip
    return save(user, contact), True
