"""Directory entries: kept in step with accounts, and their search keys kept fresh."""

from django.db import transaction

from accounts.models import User
from directory.models import Etablissement, Person
from directory.search import etablissement_key, person_keys


def refresh_keys(person: Person) -> None:
    etabs = list(person.etablissements.all())
    person.sort_key, person.search_key = person_keys(
        person.user,
        functions=person.functions.values_list("name", flat=True),
        disciplines=person.disciplines.values_list("name", flat=True),
        etablissements=etabs,
    )
    Person.objects.filter(pk=person.pk).update(
        sort_key=person.sort_key, search_key=person.search_key
    )


def entry_for(user: User) -> Person:
    """The account's directory entry, created when missing; its main établissement is always
    one of the entry's."""
    with transaction.atomic():
        person, _ = Person.objects.get_or_create(user=user)
        person.user = user
        if user.etablissement_id:
            person.etablissements.add(user.etablissement_id)
        refresh_keys(person)
    return person


def refresh_etablissement(etab: Etablissement) -> None:
    """After a rename: the établissement's own key and those of its people."""
    Etablissement.objects.filter(pk=etab.pk).update(search_key=etablissement_key(etab))
    for person in Person.objects.filter(etablissements=etab).select_related("user"):
        refresh_keys(person)
