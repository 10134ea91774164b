"""Importing vCards or a CSV into «Contacts»: kept on disk between the preview and the
confirmation, then written by the worker in chunks (a 50,000-row file never holds a page, and
a restarted worker goes on where the last chunk ended). Every row is imported or named in the
French report; a UID or an e-mail address already in the book updates that contact instead of
adding a second one, so importing the same file twice changes nothing."""

import hashlib
import re
import secrets
import uuid
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from contacts import import_files, vcard
from contacts.index import reindex_book
from contacts.models import ContactImport, IndexedContact
from contacts.services import CONTACTS, ensure_books
from convergence.queueing import enqueue_on_commit
from dav.carddav import DavConflict, DavRefused, carddav_session

MAX_BYTES = 20 * 1024 * 1024
CHUNK = 200
PREVIEW_ROWS = 5
NAMESPACE = uuid.UUID("0f7c2b9e-5d1a-4e8b-9a53-7c1e2f4d6b80")


def _directory() -> Path:
    path = Path(settings.VAR_DIR) / "contacts-imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


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
    path = _directory() / f"{user.pk}-{secrets.token_hex(16)}.txt"
    path.write_text(text, encoding="utf-8")
    return ContactImport.objects.create(owner=user, file_name=upload.name[:200], path=path.name,
                                        kind=kind, encoding=encoding, mapping=mapping,
                                        total=total)  # fmt: skip


def _text(imp: ContactImport) -> str:
    return (_directory() / imp.path).read_text(encoding="utf-8")


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


def confirm(imp: ContactImport, mapping: list[str] | None = None) -> None:
    if mapping is not None:
        imp.mapping = mapping
    imp.status = ContactImport.Status.RUNNING
    imp.save(update_fields=["mapping", "status"])
    enqueue_on_commit("contacts.tasks.run_import", imp.pk)


def _items(imp: ContactImport, start: int, stop: int) -> list[tuple[int, str | vcard.Contact]]:
    text = _text(imp)
    if imp.kind == "vcard":
        return import_files.split_vcards(text)[start:stop]
    rows = import_files.read_csv(text).rows[start:stop]
    return [(line, import_files.row_contact(cells, imp.mapping)) for line, cells in rows]


def run_chunk(imp_id: int) -> bool:
    """Imports the next chunk; True when rows remain (the task queues itself again)."""
    imp = ContactImport.objects.select_related("owner").get(pk=imp_id)
    if imp.status != ContactImport.Status.RUNNING:
        return False
    user = imp.owner
    ensure_books(user)
    reindex_book(user.username, CONTACTS)
    known = IndexedContact.objects.filter(owner=user, book=CONTACTS)
    by_uid = {row.uid: row for row in known}
    by_email = {e: row for row in by_uid.values() if not row.is_group for e in row.emails}
    with carddav_session(user.username) as store:
        for line, item in _items(imp, imp.done, imp.done + CHUNK):
            try:
                outcome = _import_one(store, item, by_uid, by_email)
            except (vcard.BadCard, DavRefused) as exc:
                outcome = _("not a readable contact (%(why)s)") % {"why": str(exc)[:120]}
            except DavConflict:
                outcome = _("the contact changed meanwhile on another device; not updated")
            if outcome == "created":
                imp.created += 1
            elif outcome == "updated":
                imp.updated += 1
            else:
                imp.problems.append([line, outcome])
            imp.done += 1
    finished = imp.done >= imp.total
    if finished:
        imp.status = ContactImport.Status.DONE
        (_directory() / imp.path).unlink(missing_ok=True)
    imp.save()
    reindex_book(user.username, CONTACTS)
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
