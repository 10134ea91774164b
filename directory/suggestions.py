"""Recipient suggestions for the compose field, from the directory's search, and the way an
address is shown to a person (never MIME-encoded: that is for the message's headers only)."""

import re
from dataclasses import asdict, dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from contacts import suggestions as contacts
from directory import lists
from directory.models import DistributionList
from directory.search import (
    normalise,
    own_etablissement_ids,
    query_words,
    search_people,
    words_begin,
)
from mail.models import OutgoingMessage

# RFC 5322 specials: a display name holding one of them must be quoted to parse back.
_SPECIALS = re.compile(r'[()<>\[\]:;@\\,."]')
RECENT_MESSAGES = 200
LISTS_LOOKED_AT = 50  # matching lists whose posting rights are checked


def display_address(name: str, address: str) -> str:
    """«Hélène Dupré <helene.dupre@…>», as typed in a recipient field."""
    name = " ".join(name.split())
    if not name:
        return address
    if _SPECIALS.search(name):
        name = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{name} <{address}>"


@dataclass(frozen=True)
class Suggestion:
    value: str  # what goes into the field
    label: str  # what the list shows first
    detail: str  # function and établissement, «Liste de diffusion»…
    kind: str  # person, contact, group, recent, list

    def as_json(self) -> dict:
        return asdict(self)


def person_suggestion(entry) -> Suggestion:
    user = entry.user
    what = [f.name for f in entry.functions.all()] + [e.name for e in entry.etablissements.all()]
    return Suggestion(display_address(user.get_full_name(), user.email), user.get_full_name(),
                      " · ".join(what), "person")


def _contacts(user: User, words: list[str], taken: set[str]) -> list[Suggestion]:
    found = []
    for item in contacts.matching(user, words):
        value = ", ".join(display_address(name, address) for name, address in item.recipients)
        if item.is_group:
            n = len(item.recipients)
            detail = ngettext("Group of %(n)s contact", "Group of %(n)s contacts", n) % {"n": n}
            found.append(Suggestion(value, item.name, detail, "group"))
            continue
        address = item.recipients[0][1]
        if address not in taken:
            taken.add(address)
            detail = " · ".join(p for p in (_("My contacts"), address, item.organisation) if p)
            found.append(Suggestion(value, item.name, detail, "contact"))
    return found


def _recent(user: User, words: list[str], taken: set[str]) -> list[Suggestion]:
    found: dict[str, Suggestion] = {}
    sent = OutgoingMessage.objects.filter(user=user, kind=OutgoingMessage.Kind.MESSAGE)
    for recipients in sent.order_by("-created_at").values_list("recipients", flat=True)[
        :RECENT_MESSAGES
    ]:
        for address in recipients:
            plain = normalise(address)
            if address in taken or address in found or not all(w in plain for w in words):
                continue
            found[address] = Suggestion(address, address, "", "recent")
    return list(found.values())


def _lists(user: User, words: list[str]) -> list[Suggestion]:
    """Lists whose name or address has words beginning with the query's (the database looks:
    an académie has thousands of lists), among them those one may write to."""
    found = []
    matching = words_begin(DistributionList.objects.all(), words).order_by("name")
    for dlist in matching[:LISTS_LOOKED_AT]:
        if lists.may_post(dlist, user.email):
            found.append(Suggestion(display_address(dlist.name, dlist.address), dlist.name,
                                    dlist.address, "list"))
    return found


def suggest(user: User, query: str, *, limit: int = 10) -> list[Suggestion]:
    """People of one's own établissements first, then one's contacts and groups, recent
    correspondents, the lists one may write to, and the rest of the académie."""
    words = query_words(query)
    if not words or len("".join(words)) < 2:
        return []
    people = search_people(query, viewer=user, limit=limit)
    own_ids = set(own_etablissement_ids(user))
    own = [p for p in people if own_ids & {e.pk for e in p.etablissements.all()}]
    others = [p for p in people if p not in own]
    taken = {p.user.email for p in people}
    found = [
        *(person_suggestion(p) for p in own),
        *_contacts(user, words, taken),
        *_recent(user, words, taken),
        *_lists(user, words),
        *(person_suggestion(p) for p in others),
    ]
    return found[:limit]
