"""Importing vCards or a CSV into «Contacts»: kept in the database (mail.models.stored, so any
web node shows the preview and any worker imports it) between the preview and the
confirmation, then written by the worker in chunks (a 50,000-row file never holds a page, and
a restarted worker goes on where the last chunk ended). Every row is imported or named in the
French report; a UID or an e-mail address already in the book updates that contact instead of
adding a second one, so importing the same file twice changes nothing.

A small file is written card by card (one PUT each). From ``BULK_MIN`` rows on, each chunk is
merged into the whole book in memory and the book is written back in one request (Radicale's
PUT of a whole collection, refused if a phone changed the book meanwhile, then tried again):
a PUT of one new card makes Radicale read every card of the book to check that its UID is
new, so 50,000 single PUTs took days. Each chunk is twice as large as the book already is, so
the whole import writes each card about 1.5 times, and the page sees progress at each one.
Radicale's own cost dominates: per card, two fsynced files at the PUT and one more (its sync
history) at the first sync that follows."""

import hashlib
import logging
import re
import uuid

from django.db import transaction
from django.utils.translation import gettext as _

from contacts import import_files, vcard
from contacts.index import reindex_book
from contacts.models import ContactImport, IndexedContact
from contacts.services import CONTACTS, ensure_books
from convergence.queueing import enqueue_on_commit
from dav.carddav import DavConflict, DavRefused, Resource, carddav_session
from mail.models import stored

logger = logging.getLogger(__name__)
MAX_BYTES = 20 * 1024 * 1024
CHUNK = 200  # rows per task, card by card
BULK_MIN = 1000  # rows from which the book is written whole
BULK_FIRST = 2000  # rows of the first whole-book chunk…
BULK_GROWTH = 2  # …and of the next ones, twice what the book holds: each card written 1.5×
BULK_TIMEOUT = 900  # seconds for the worker's whole-book requests
BULK_ATTEMPTS = 3
PREVIEW_ROWS = 5
PREVIEW_SECONDS = 24 * 3600  # a preview nobody confirms keeps its file a day at most
NAMESPACE = uuid.UUID("0f7c2b9e-5d1a-4e8b-9a53-7c1e2f4d6b80")


def start(user, upload) -> ContactImport:
    """Keeps the uploaded file and what it is; UnreadableFile when it is no address book."""
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES or not data.strip():
        raise import_files.UnreadableFile
    text, encoding = import_files.decode(data)
    if import_files.is_vcard(text):
        kind, total, mapping = "vcard", len(import_files.split_vcards(text)), []
    else:
        table = import_files.read_csv(text)
        kind, total = "csv", len(table.rows)
        mapping = [import_files.guess(h) for h in table.headings]
    if not total:
        raise import_files.UnreadableFile
    with transaction.atomic():
        kept = stored.keep(user, upload.name, text.encode(), seconds=PREVIEW_SECONDS)
        return ContactImport.objects.create(owner=user, file_name=upload.name[:200],
                                            upload=kept, kind=kind, encoding=encoding,
                                            mapping=mapping, total=total)  # fmt: skip


def is_kept(imp: ContactImport) -> bool:
    """False once a preview waited too long: the file is gone, it must be chosen again."""
    return imp.upload_id is not None and stored.kept(imp.owner, imp.upload.token) is not None


def _text(imp: ContactImport) -> str:
    if imp.upload_id is None:
        raise stored.ContentMissing(f"contacts import {imp.pk} has no file any more")
    return stored.read(imp.upload.chunks).decode()


def preview(imp: ContactImport) -> dict:
    text = _text(imp)
    if imp.kind == "vcard":
        cards = []
        for line, card in import_files.split_vcards(text)[:PREVIEW_ROWS]:
            try:
                cards.append(vcard.parse(card))
            except vcard.BadCard:
                cards.append(vcard.Contact(full_name=_("(unreadable, line %(line)s)")
                                           % {"line": line}))  # fmt: skip
        return {"contacts": cards}
    table = import_files.read_csv(text)
    return {"headings": table.headings, "samples": [cells for _l, cells in
                                                    table.rows[:PREVIEW_ROWS]]}  # fmt: skip


def confirm(imp: ContactImport, mapping: list[str] | None = None) -> bool:
    """Queues the import, its file kept until it ends; False when the preview expired."""
    with transaction.atomic():
        if imp.upload_id is None or not stored.hold(imp.upload):
            return False
        if mapping is not None:
            imp.mapping = mapping
        imp.status = ContactImport.Status.RUNNING
        imp.save(update_fields=["mapping", "status"])
        enqueue_on_commit("contacts.tasks.run_import", imp.pk)
    return True


def _items(imp: ContactImport, start: int, stop: int) -> list[tuple[int, str | vcard.Contact]]:
    text = _text(imp)
    if imp.kind == "vcard":
        return import_files.split_vcards(text)[start:stop]
    rows = import_files.read_csv(text).rows[start:stop]
    return [(line, import_files.row_contact(cells, imp.mapping)) for line, cells in rows]


def _known(user) -> tuple[dict, dict]:
    """The book's contacts by UID and by e-mail address, from the (just synced) index."""
    by_uid = {row.uid: row for row in IndexedContact.objects.filter(owner=user, book=CONTACTS)}
    by_email = {e: row for row in by_uid.values() if not row.is_group for e in row.emails}
    return by_uid, by_email


def _rows(store, rows, by_uid: dict, by_email: dict) -> tuple[int, int, list]:
    """Each row imported through ``store``: (created, updated, [[line, why not], …])."""
    created, updated, problems = 0, 0, []
    for line, item in rows:
        try:
            outcome = _import_one(store, item, by_uid, by_email)
        except (vcard.BadCard, DavRefused) as exc:
            outcome = _("not a readable contact (%(why)s)") % {"why": str(exc)[:120]}
        except DavConflict:
            outcome = _("the contact changed meanwhile on another device; not updated")
        if outcome == "created":
            created += 1
        elif outcome == "updated":
            updated += 1
        else:
            problems.append([line, outcome])
    return created, updated, problems


class BookDraft:
    """The whole book in memory, read and written as the store would be, then sent at once."""

    def __init__(self, resources: list[Resource]):
        self.cards = {r.href: r.text for r in resources}

    def get(self, _book: str, href: str) -> Resource:
        if href not in self.cards:
            raise DavConflict(href)
        return Resource(href, "draft", self.cards[href])

    def put(self, _book: str, href: str, text: str, *, etag: str | None) -> str:
        if etag is None and href in self.cards:
            raise DavConflict(href)
        self.cards[href] = text
        return "draft"


def _bulk_chunk(imp: ContactImport) -> tuple[int, int, int, list]:
    """Merges the next rows into the whole book and writes it back at once; (rows gone
    through, created, updated, problems)."""
    username = imp.owner.username
    with carddav_session(username, timeout=BULK_TIMEOUT) as store:
        for _attempt in range(BULK_ATTEMPTS):
            state = store.book_state(CONTACTS)  # first: any later change fails the write
            reindex_book(username, CONTACTS, timeout=BULK_TIMEOUT)
            draft = BookDraft(store.cards(CONTACTS).resources)
            size = max(BULK_FIRST, BULK_GROWTH * len(draft.cards))
            rows = _items(imp, imp.done, imp.done + size)
            created, updated, problems = _rows(draft, rows, *_known(imp.owner))
            try:
                store.replace_book(CONTACTS, list(draft.cards.values()), state)
            except DavConflict:
                continue  # a phone wrote meanwhile: read the book again
            except DavRefused:  # too large for one request (Radicale's max_content_length)
                logger.warning("contacts import %s: whole book refused, card by card", imp.pk)
                return len(rows), *_rows(store, rows, *_known(imp.owner))
            return len(rows), created, updated, problems
    why = _("the address book kept changing on another device meanwhile; import the file again")
    return len(rows), 0, 0, [[line, why] for line, _item in rows]


def run_chunk(imp_id: int) -> bool:
    """Imports the next chunk; True when rows remain (the task queues itself again)."""
    imp = ContactImport.objects.select_related("owner").get(pk=imp_id)
    if imp.status != ContactImport.Status.RUNNING:
        return False
    user = imp.owner
    ensure_books(user)
    if imp.total >= BULK_MIN:
        done, created, updated, problems = _bulk_chunk(imp)
    else:
        reindex_book(user.username, CONTACTS)
        rows = _items(imp, imp.done, imp.done + CHUNK)
        with carddav_session(user.username) as store:
            created, updated, problems = _rows(store, rows, *_known(user))
        done = len(rows)
    imp.done += done
    imp.created += created
    imp.updated += updated
    imp.problems += problems
    finished = imp.done >= imp.total or not done
    upload = None
    if finished:
        imp.status = ContactImport.Status.DONE
        upload, imp.upload = imp.upload, None
    imp.save()
    stored.forget(upload)
    reindex_book(user.username, CONTACTS, timeout=BULK_TIMEOUT)
    return not finished


def _import_one(store, item, by_uid: dict, by_email: dict) -> str:
    """"created", "updated", or why the row was not imported."""
    if isinstance(item, str):  # a vCard, kept whole (photo, unknown properties)
        contact = vcard.parse(item)
        text = item
    else:
        why = import_files.problem(item)
        if why:
            return why
        contact, text = item, None
    if not contact.uid:
        digest = hashlib.sha256((text or repr(contact)).encode()).hexdigest()
        contact.uid = str(uuid.uuid5(NAMESPACE, digest))  # the same row again: the same UID
    key = vcard.member_key(contact.uid)
    existing = by_uid.get(key) or next(
        (by_email[e.value.lower()] for e in contact.emails if e.value.lower() in by_email), None)
    if existing is None:
        href = f"{re.sub(r'[^A-Za-z0-9_.-]', '-', key)[:100]}.vcf"
        body = _with_uid(text, contact.uid) if text else vcard.write(contact)
        store.put(CONTACTS, href, body, etag=None)
        row = IndexedContact(uid=key, href=href, emails=[e.value.lower() for e in contact.emails])
        by_uid[key] = row
        by_email.update(dict.fromkeys(row.emails, row))
        return "created"
    current = store.get(CONTACTS, existing.href)
    old = vcard.parse(current.text)
    # A file's card replaces the stored one (under the stored UID); a CSV row updates it.
    body = (_with_uid(text, old.uid) if text
            else vcard.write(_updated(old, contact), current.text))  # fmt: skip
    store.put(CONTACTS, existing.href, body, etag=current.etag)
    return "updated"


def _updated(old: vcard.Contact, new: vcard.Contact) -> vcard.Contact:
    """The row's values win where it has one; addresses and phones are added, never lost."""
    for name in ("full_name", "given", "family", "organisation", "note"):
        if getattr(new, name):
            setattr(old, name, getattr(new, name))
    seen = {e.value.lower() for e in old.emails}
    old.emails += [e for e in new.emails if e.value.lower() not in seen]
    digits = {re.sub(r"\D", "", p.value) for p in old.phones}
    old.phones += [p for p in new.phones if re.sub(r"\D", "", p.value) not in digits]
    lines = {a.one_line() for a in old.addresses}
    old.addresses += [a for a in new.addresses if a.one_line() not in lines]
    return old


def _with_uid(text: str, uid: str) -> str:
    """The card with exactly this UID (added when missing, kept when the book has another)."""
    lines = [line for line in re.split(r"\r?\n", text)
             if not re.match(r"(?i)^(item\d+\.)?UID[;:]", line)]  # fmt: skip
    at = next((i for i, line in enumerate(lines) if line.upper().startswith("VERSION")), 0)
    lines.insert(at + 1, f"UID:{uid}")
    return "\r\n".join(line for line in lines if line) + "\r\n"
