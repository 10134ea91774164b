"""One's contacts and groups for the compose field's suggestions, from the derived index only
(indexed queries, no request to the store while someone types). Plain values: the directory's
suggestions, which import this, build what the field shows."""

from dataclasses import dataclass

from contacts.models import IndexedContact
from contacts.services import CONTACTS

LIMIT = 10


@dataclass(frozen=True)
class Found:
    name: str
    recipients: list[tuple[str, str]]  # (name, address): one for a contact, each member for a group
    organisation: str
    is_group: bool


def matching(user, words: list[str], *, limit: int = LIMIT) -> list[Found]:
    """Contacts (one entry per e-mail address) and groups whose words start with ``words``."""
    rows = IndexedContact.objects.filter(owner=user, book=CONTACTS)
    for word in words:
        rows = rows.filter(search_key__contains=f" {word}")
    found: list[Found] = []
    for row in rows.order_by("is_group", "name")[:limit]:
        if not row.is_group:
            found.extend(Found(row.name, [(row.name, e)], row.organisation, False)
                         for e in row.emails)  # fmt: skip
            continue
        members = IndexedContact.objects.filter(
            owner=user, book=CONTACTS, is_group=False, uid__in=row.members).order_by("name")
        recipients = [(m.name, m.emails[0]) for m in members if m.emails]
        if recipients:
            found.append(Found(row.name, recipients, "", True))
    return found
