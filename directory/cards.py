"""What a directory card shows: only what the académie publishes about a person or a place."""

from collections import defaultdict

from django.db.models import Q

from directory.models import DistributionList, Etablissement, Person
from directory.search import listed_people
from mail.models import Mailbox


def person_card(entry: Person) -> dict:
    return {
        "entry": entry,
        "person": entry.user,  # for the name and the address only; never NUMEN nor birth date
        "functions": list(entry.functions.all()),
        "disciplines": list(entry.disciplines.all()),
        "etablissements": list(entry.etablissements.all()),
    }


def etablissement_card(etab: Etablissement) -> dict:
    """The établissement, its staff grouped by function (each group in name order), its lists
    and its functional mailboxes."""
    staff = (
        listed_people().filter(etablissements=etab).select_related("user")
        .prefetch_related("functions").order_by("sort_key")
    )
    by_function: dict[str, list[Person]] = defaultdict(list)
    for entry in staff:
        names = [f.name for f in entry.functions.all()] or [""]
        for name in names:
            by_function[name].append(entry)
    groups = sorted(by_function.items(), key=lambda item: (item[0] == "", item[0]))
    return {
        "etab": etab,
        "groups": groups,
        "staff_count": len(staff),
        # Its own lists, and the discipline lists of its bassin («… du bassin»).
        "lists": list(DistributionList.objects.filter(
            Q(etablissement=etab)
            | Q(etablissement=None, bassin=etab.bassin) & ~Q(bassin="")
        )),
        "mailboxes": list(
            Mailbox.objects.filter(etablissement=etab, kind=Mailbox.Kind.FUNCTIONAL)
            .order_by("display_name")
        ),
    }
