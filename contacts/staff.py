"""Each person's read-only address books of their établissements' staff, on the CardDAV
server, generated from the directory.

One collection per établissement in the person's home (``etablissement-<uai>``), because
phones discover address books only there; the rights plugin lets the person read it and only
the web app's master login write it (``dav.read_only``, as subscribed calendars). A card
per colleague, at a fixed address (``<account id>.vcf``), written only when it changed: the
digest of the whole book is kept in ``BookState.source_digest``, so a night without changes
in the directory asks the store nothing.
"""

import hashlib
import logging

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from contacts import vcard
from contacts.models import BookState
from dav import read_only
from dav.carddav import DavUnavailable, carddav_session
from directory.models import Etablissement
from directory.search import listed_people, own_etablissement_ids

logger = logging.getLogger(__name__)
PREFIX = read_only.STAFF_BOOK_PREFIX


def is_staff_book(name: str) -> bool:
    return name.startswith(PREFIX)


def book_name(etab) -> str:
    return f"{PREFIX}{etab.uai.lower()}"


def staff_cards(etab) -> dict[str, str]:
    """href → vCard of every listed colleague of ``etab`` (fixed UIDs: updates, not copies)."""
    staff = (listed_people().filter(etablissements=etab).select_related("user")
             .prefetch_related("functions").order_by("sort_key"))  # fmt: skip
    cards = {}
    for entry in staff:
        user = entry.user
        contact = vcard.Contact(
            uid=f"convergence-annuaire-{user.pk}", given=user.first_name, family=user.last_name,
            organisation=etab.name,
            emails=[vcard.Labelled("work", user.email)],
            phones=[vcard.Labelled("work", entry.phone)] if entry.phone else [],
            note=", ".join(f.name for f in entry.functions.all()),
        )  # fmt: skip
        cards[f"{user.pk}.vcf"] = vcard.write(contact)
    return cards


def _digest(cards: dict[str, str]) -> str:
    return hashlib.sha256("\0".join(f"{k}\0{cards[k]}" for k in sorted(cards)).encode()).hexdigest()


def sync_person(user) -> int:
    """Brings the person's staff books in line with the directory; returns cards written or
    removed. Books of établissements the person left are deleted."""
    wanted = {book_name(e): e for e in Etablissement.objects.filter(
        pk__in=own_etablissement_ids(user))}  # fmt: skip
    changed = 0
    states = {s.book: s for s in BookState.objects.filter(owner=user, book__startswith=PREFIX)}
    with carddav_session(user.username) as store:
        existing = {b.name for b in store.address_books() if b.name.startswith(PREFIX)}
        for name in existing - set(wanted):
            store.delete_address_book(name)
            BookState.objects.filter(owner=user, book=name).delete()
        for name, etab in wanted.items():
            cards = staff_cards(etab)
            digest = _digest(cards)
            state = states.get(name)
            if name in existing and state is not None and state.source_digest == digest:
                continue
            if name not in existing:
                store.make_address_book(name, _("Staff — %(name)s") % {"name": etab.name})
            stored = {r.href: r for r in store.cards(name).resources}
            for href, text in cards.items():
                old = stored.get(href)
                if old is None or vcard.parse(old.text) != vcard.parse(text):
                    store.put(name, href, text, etag=old.etag if old else None)
                    changed += 1
            for href in set(stored) - set(cards):
                store.delete(name, href, etag=stored[href].etag)
                changed += 1
            BookState.objects.update_or_create(owner=user, book=name,
                                               defaults={"source_digest": digest})
    return changed


def sync_everyone() -> int:
    """Nightly and after an HR import: every active person with a directory entry."""
    total = 0
    people = get_user_model().objects.filter(is_active=True, directory_entry__isnull=False)
    for user in people.exclude(status=get_user_model().Status.DISABLED).iterator():
        try:
            total += sync_person(user)
        except DavUnavailable:
            logger.warning("staff address books: the store does not answer; next run")
            break
    return total
