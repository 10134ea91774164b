"""Directory entries: kept in step with accounts, and their search keys kept fresh."""

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.hashers import make_password
from django.db import transaction

from accounts.models import User
from directory.models import Discipline, Etablissement, Function, Person
from directory.search import etablissement_key, person_keys
from mail.models import Mailbox


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


@dataclass(frozen=True)
class NewPerson:
    """What the directory knows of someone who arrives (the demo, the HR import, the bench)."""

    username: str
    first_name: str
    last_name: str
    email: str
    category: str
    etablissement: Etablissement | None
    functions: tuple[str, ...] = ()
    disciplines: tuple[str, ...] = ()
    phone: str = ""
    also: tuple[Etablissement, ...] = ()
    # The activation path through «Mot de passe oublié» (HR import): never shown in the directory.
    numen_hash: str = ""
    birth_date: date | None = None
    recovery_email: str = ""


def _named(model, names: set[str]) -> dict[str, int]:
    model.objects.bulk_create([model(name=n) for n in names], ignore_conflicts=True)
    return dict(model.objects.filter(name__in=names).values_list("name", "pk"))


def create_many(people: list[NewPerson], *, batch_size: int = 2000) -> list[User]:
    """Accounts (without a usable password: they are activated later), personal mailboxes and
    directory entries in a few queries; for hundreds or thousands of arrivals at once."""
    functions = _named(Function, {f for p in people for f in p.functions})
    disciplines = _named(Discipline, {d for p in people for d in p.disciplines})
    # One unusable password for all: it matches nothing however often it repeats, and drawing
    # a random one each time was a fifth of the cost of 100,000 arrivals.
    unusable = make_password(None)
    users = [
        User(username=p.username, email=p.email, first_name=p.first_name,
             last_name=p.last_name, category=p.category, etablissement=p.etablissement,
             numen_hash=p.numen_hash, birth_date=p.birth_date, recovery_email=p.recovery_email,
             password=unusable)
        for p in people
    ]
    with transaction.atomic():
        users = User.objects.bulk_create(users, batch_size=batch_size)
        if not all(u.pk for u in users):  # MySQL-like backends return no keys
            users = list(User.objects.filter(username__in=[p.username for p in people]))
        by_name = {u.username: u for u in users}
        Mailbox.objects.bulk_create([
            Mailbox(address=u.email, imap_user=u.username, display_name=u.get_full_name(),
                    kind=Mailbox.Kind.PERSONAL, owner=u, etablissement=u.etablissement)
            for u in users
        ], batch_size=batch_size)  # fmt: skip
        entries, places, roles, subjects = [], [], [], []
        for p in people:
            user = by_name[p.username]
            etabs = list(dict.fromkeys(e for e in (p.etablissement, *p.also) if e is not None))
            sort_key, search_key = person_keys(
                user, functions=p.functions, disciplines=p.disciplines, etablissements=etabs
            )
            entries.append(Person(user=user, phone=p.phone, sort_key=sort_key,
                                  search_key=search_key))
            places += [Person.etablissements.through(person_id=user.pk, etablissement_id=e.pk)
                       for e in etabs]
            roles += [Person.functions.through(person_id=user.pk, function_id=functions[f])
                      for f in dict.fromkeys(p.functions)]
            subjects += [Person.disciplines.through(person_id=user.pk, discipline_id=disciplines[d])
                         for d in dict.fromkeys(p.disciplines)]
        Person.objects.bulk_create(entries, batch_size=batch_size)
        for relation, rows in ((Person.etablissements, places), (Person.functions, roles),
                               (Person.disciplines, subjects)):
            relation.through.objects.bulk_create(rows, batch_size=batch_size)
    return users


def describe(person: Person, *, functions=(), disciplines=(), phone: str = "",
             also: tuple[Etablissement, ...] = ()) -> None:
    """Give an entry its published attributes (each relation left alone when already set)."""
    if functions and not person.functions.exists():
        person.functions.add(*(Function.objects.get_or_create(name=f)[0] for f in functions))
    if disciplines and not person.disciplines.exists():
        person.disciplines.add(*(Discipline.objects.get_or_create(name=d)[0] for d in disciplines))
    if also:
        person.etablissements.add(*also)
    if phone and not person.phone:
        Person.objects.filter(pk=person.pk).update(phone=phone)
