"""Keeping the derived index in step with the address books, from their sync tokens."""

import logging

from django.contrib.auth import get_user_model
from django.db import transaction

from contacts import vcard
from contacts.models import BookState, IndexedContact
from dav.carddav import DavNotFound, carddav_session
from directory.search import key_of

logger = logging.getLogger(__name__)


def row_values(text: str) -> dict | None:
    try:
        contact = vcard.parse(text)
    except vcard.BadCard:
        return None
    emails = [e.value.lower() for e in contact.emails]
    return {
        "uid": vcard.member_key(contact.uid)[:300],
        "is_group": contact.kind == vcard.GROUP,
        "name": contact.name[:300],
        "search_key": key_of(contact.name, contact.given, contact.family, contact.organisation,
                             *emails),
        "emails": emails,
        "email_key": f" {' '.join(emails)} ",
        "phones": [p.value for p in contact.phones],
        "organisation": contact.organisation[:300],
        "members": contact.members,
    }  # fmt: skip


def reindex_book(username: str, book: str, *, timeout: int | None = None) -> int:
    """Applies the changes since the last sync; returns how many cards changed. A whole
    listing (the first sync, or a token the server no longer knows, as after an import wrote
    the whole book) replaces the book's rows at once."""
    owner = get_user_model().objects.filter(username=username).first()
    if owner is None:
        return 0
    BookState.objects.get_or_create(owner=owner, book=book)
    with transaction.atomic():  # one sync per address book at a time
        state = BookState.objects.select_for_update().get(owner=owner, book=book)
        try:
            with carddav_session(username, timeout=timeout) as store:
                result = store.sync(book, state.sync_token or None)
        except DavNotFound:  # the address book was deleted
            IndexedContact.objects.filter(owner=owner, book=book).delete()
            state.delete()
            return 0
        rows = IndexedContact.objects.filter(owner=owner, book=book)
        if result.full:  # whatever it does not name is gone
            rows.delete()
        rows.filter(href__in=result.deleted).delete()
        fresh = []
        for resource in result.changed:
            values = row_values(resource.text)
            if values is None:
                logger.info("contacts index: unreadable card %s/%s", book, resource.href)
                continue
            values["etag"] = resource.etag
            if result.full:
                fresh.append(IndexedContact(owner=owner, book=book, href=resource.href,
                                            **values))  # fmt: skip
            else:
                IndexedContact.objects.update_or_create(owner=owner, book=book,
                                                        href=resource.href, defaults=values)
        IndexedContact.objects.bulk_create(fresh, batch_size=1000)
        state.sync_token = result.token
        state.save(update_fields=["sync_token"])
    return len(result.changed) + len(result.deleted)
