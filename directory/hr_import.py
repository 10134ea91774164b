"""Feeding the directory from the HR system's export: a dry run first (who arrives, who changes,
who left, and every row that is wrong, with its line), then the same plan applied at once.

Nothing is applied while one row is wrong. People absent from the export are deactivated (never
deleted) and leave the lists that name them. Arrivals get an account, a mailbox and a directory
entry; with the NUMEN, birth date and personal address of the export they activate it themselves
through «Mot de passe oublié». Applying the same export twice changes nothing the second time.
"""

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User, login_validator
from accounts.numen import numen_hash
from convergence.queueing import enqueue_on_commit
from directory import people, search
from directory.hr_files import MULTI_SEPARATOR, RawRow
from directory.models import Discipline, DistributionList, Etablissement, Function, Person


@dataclass(frozen=True)
class HrPerson:
    line: int
    username: str
    first_name: str
    last_name: str
    email: str
    category: str
    uais: tuple[str, ...]  # the main one first
    functions: tuple[str, ...]
    disciplines: tuple[str, ...]
    phone: str
    numen: str
    birth_date: date | None
    recovery_email: str
    bassin: str  # of the main établissement (uais[0]); empty: left as it is


@dataclass
class ImportReport:
    created: list[HrPerson] = field(default_factory=list)
    changed: list[tuple[HrPerson, list[str]]] = field(default_factory=list)
    unchanged: int = 0
    left: list[User] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, what is wrong)
    bassins: list[tuple[str, str, str]] = field(default_factory=list)  # (UAI, before, after)

    @property
    def can_apply(self) -> bool:
        return not self.errors


def _split(value: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(p.strip() for p in value.split(MULTI_SEPARATOR) if p.strip()))


def _check(row: RawRow, etabs: dict[str, int]) -> HrPerson | list[str]:
    f = row.fields
    problems = [f["__error__"]] if "__error__" in f else []
    for column in ("identifiant", "nom", "prenom", "categorie", "uai"):
        if not f.get(column):
            problems.append(_("«%(column)s» is empty") % {"column": column})
    username = f.get("identifiant", "").lower()
    if username:
        try:
            login_validator(username)
        except ValidationError:
            problems.append(_("invalid login «%(value)s»") % {"value": username})
    category = f.get("categorie", "").lower()
    if category and category not in User.Category.values:
        problems.append(_("unknown category «%(value)s» (expected: %(known)s)")
                        % {"value": category, "known": ", ".join(User.Category.values)})
    uais = tuple(u.upper() for u in _split(f.get("uai", "")) + _split(f.get("uai_secondaires", "")))
    for uai in uais:
        if uai not in etabs:
            problems.append(_("unknown UAI «%(value)s»") % {"value": uai})
    email = (f.get("courriel") or f"{username}@{settings.MAIL_DOMAIN}").lower()
    for column, value in (("courriel", email), ("courriel_perso", f.get("courriel_perso", ""))):
        try:
            if value:
                validate_email(value)
        except ValidationError:
            problems.append(_("invalid address «%(value)s» in %(column)s")
                            % {"value": value, "column": column})
    birth_date = None
    if f.get("date_naissance"):
        try:
            day, month, year = (int(p) for p in f["date_naissance"].replace("-", "/").split("/"))
            birth_date = date(year, month, day) if year > 31 else date(day, month, year)
        except ValueError:
            problems.append(_("invalid birth date «%(value)s» (expected DD/MM/YYYY)")
                            % {"value": f["date_naissance"]})
    if problems:
        return problems
    return HrPerson(
        line=row.line, username=username, first_name=f["prenom"], last_name=f["nom"],
        email=email, category=category, uais=uais, functions=_split(f.get("fonctions", "")),
        disciplines=_split(f.get("disciplines", "")), phone=f.get("telephone", ""),
        numen=f.get("numen", ""), birth_date=birth_date,
        recovery_email=f.get("courriel_perso", "").lower(), bassin=" ".join(
            f.get("bassin", "").split())[:100],
    )  # fmt: skip


def _places(main: str, others) -> tuple[str, ...]:
    return (main, *sorted(set(others) - {main}))


def _current(user: User, entry: Person | None, etab_uai: dict[int, str]) -> dict:
    main = etab_uai.get(user.etablissement_id, "")
    return {
        "first_name": user.first_name, "last_name": user.last_name, "email": user.email,
        "category": user.category, "active": user.is_active,
        "uais": _places(main, (etab_uai[e] for e in entry.etab_ids) if entry else ()),
        "functions": tuple(sorted(entry.function_names)) if entry else (),
        "disciplines": tuple(sorted(entry.discipline_names)) if entry else (),
        "phone": entry.phone if entry else "",
    }  # fmt: skip


def _wanted(p: HrPerson) -> dict:
    return {
        "first_name": p.first_name, "last_name": p.last_name, "email": p.email,
        "category": p.category, "active": True, "uais": _places(p.uais[0], p.uais[1:]),
        "functions": tuple(sorted(p.functions)), "disciplines": tuple(sorted(p.disciplines)),
        "phone": p.phone,
    }  # fmt: skip


def _entries() -> dict[int, Person]:
    """Every entry with its établissements, functions and disciplines, in four queries."""
    entries = {p.pk: p for p in Person.objects.all()}
    for p in entries.values():
        p.etab_ids, p.function_names, p.discipline_names = [], [], []
    names = {"functions": dict(Function.objects.values_list("pk", "name")),
             "disciplines": dict(Discipline.objects.values_list("pk", "name"))}
    for person_id, etab_id in Person.etablissements.through.objects.order_by("pk").values_list(
        "person_id", "etablissement_id"
    ):
        entries[person_id].etab_ids.append(etab_id)
    for relation, attribute, column in (("functions", "function_names", "function_id"),
                                        ("disciplines", "discipline_names", "discipline_id")):
        through = getattr(Person, relation).through
        for person_id, value in through.objects.values_list("person_id", column):
            getattr(entries[person_id], attribute).append(names[relation][value])
    return entries


def plan(rows: list[RawRow]) -> ImportReport:
    """The dry run: what applying ``rows`` would do, and what is wrong in them."""
    report = ImportReport()
    etabs = dict(Etablissement.objects.values_list("uai", "pk"))
    etab_uai = {pk: uai for uai, pk in etabs.items()}
    seen: dict[str, int] = {}
    valid = []
    for row in rows:
        checked = _check(row, etabs)
        if isinstance(checked, list):
            report.errors.append((row.line, "; ".join(checked)))
        elif checked.username in seen:
            report.errors.append((row.line, _("«%(login)s» already appears line %(line)s")
                                  % {"login": checked.username, "line": seen[checked.username]}))
        else:
            seen[checked.username] = row.line
            valid.append(checked)
    report.bassins = _bassins(valid, report.errors)
    users = {u.username: u for u in User.objects.all()}
    entries = _entries()
    for person in valid:
        user = users.get(person.username)
        if user is None:
            report.created.append(person)
            continue
        before, after = _current(user, entries.get(user.pk), etab_uai), _wanted(person)
        differences = [name for name in after if before[name] != after[name]]
        if differences:
            report.changed.append((person, differences))
        else:
            report.unchanged += 1
    report.left = [
        u for u in users.values()
        if u.username not in seen and u.is_active and u.category and not u.is_superuser
    ]
    return report


def _bassins(valid: list[HrPerson], errors: list) -> list[tuple[str, str, str]]:
    """The établissements whose bassin the export changes; two rows of one établissement
    naming different bassins make the second one wrong."""
    given: dict[str, tuple[str, int]] = {}
    for person in valid:
        if not person.bassin:
            continue
        uai = person.uais[0]
        bassin, line = given.setdefault(uai, (person.bassin, person.line))
        if bassin.casefold() != person.bassin.casefold():
            errors.append((person.line, _(
                "bassin «%(bassin)s» for %(uai)s, but line %(line)s gives «%(other)s»"
            ) % {"bassin": person.bassin, "uai": uai, "line": line, "other": bassin}))
    current = dict(Etablissement.objects.filter(uai__in=given).values_list("uai", "bassin"))
    return sorted((uai, current[uai], bassin) for uai, (bassin, _line) in given.items()
                  if current[uai] != bassin)  # fmt: skip


def _set_relations(entry: Person, person: HrPerson, etabs: dict[str, Etablissement]) -> None:
    # set() with the signals: the entry's search key follows.
    entry.etablissements.set([etabs[u] for u in person.uais])
    entry.functions.set([Function.objects.get_or_create(name=n)[0] for n in person.functions])
    entry.disciplines.set([Discipline.objects.get_or_create(name=n)[0]
                           for n in person.disciplines])  # fmt: skip


def _activation_path(person: HrPerson) -> dict:
    """What «Mot de passe oublié» asks of an arrival: the NUMEN (its keyed hash only), the birth
    date, and the personal address where the code goes."""
    if not (person.numen and person.birth_date and person.recovery_email):
        return {}
    return {"numen_hash": numen_hash(person.numen), "birth_date": person.birth_date,
            "recovery_email": person.recovery_email}


def apply(report: ImportReport) -> None:
    """Carry out a plan without errors, all or nothing."""
    if not report.can_apply:
        raise ValueError("An import with errors is never applied.")
    etabs = {e.uai: e for e in Etablissement.objects.all()}
    with transaction.atomic():
        arrivals = [
            people.NewPerson(
                username=p.username, first_name=p.first_name, last_name=p.last_name,
                email=p.email, category=p.category, etablissement=etabs[p.uais[0]],
                functions=p.functions, disciplines=p.disciplines, phone=p.phone,
                also=tuple(etabs[u] for u in p.uais[1:]), **_activation_path(p),
            )
            for p in report.created
        ]  # fmt: skip
        people.create_many(arrivals)
        for person, _fields in report.changed:
            user = User.objects.get(username=person.username)
            user.first_name, user.last_name = person.first_name, person.last_name
            user.email, user.category = person.email, person.category
            user.etablissement = etabs[person.uais[0]]
            if not user.is_active:  # back after leaving
                user.is_active, user.status = True, User.Status.ACTIVE
            user.save()
            entry = people.entry_for(user)
            Person.objects.filter(pk=entry.pk).update(phone=person.phone)
            _set_relations(entry, person, etabs)
        for uai, _before, bassin in report.bassins:
            Etablissement.objects.filter(uai=uai).update(bassin=bassin)
        leavers = [u.pk for u in report.left]
        User.objects.filter(pk__in=leavers).update(is_active=False, status=User.Status.DISABLED)
        # No signal for an update(): their keys go as person_keys would drop them.
        Person.objects.filter(pk__in=leavers).update(search_key="")
        search.merge_pending_keys()
        DistributionList.members.through.objects.filter(user_id__in=leavers).delete()
        # The read-only staff address books on CardDAV follow (the address book's job).
        enqueue_on_commit("contacts.tasks.sync_staff_books")


def describe(report: ImportReport) -> list[str]:
    """The report as lines of text (the command prints them; the support page has its own)."""
    lines = [_("Arrivals: %(created)s · changes: %(changed)s · unchanged: %(unchanged)s · "
               "departures: %(left)s · wrong rows: %(errors)s") % counts(report)]
    lines += [_("Line %(line)s: %(problem)s") % {"line": line, "problem": problem}
              for line, problem in report.errors]
    lines += [_("Arrives: %(login)s (%(name)s)") % {"login": p.username,
              "name": f"{p.first_name} {p.last_name}"} for p in report.created]
    lines += [_("Changes: %(login)s (%(fields)s)") % {"login": p.username,
              "fields": ", ".join(fields)} for p, fields in report.changed]
    lines += [_("Leaves: %(login)s") % {"login": u.username} for u in report.left]
    lines += [_("Bassin of %(uai)s: «%(before)s» → «%(after)s»") % {
        "uai": uai, "before": before or "—", "after": after}
        for uai, before, after in report.bassins]
    return lines


def counts(report: ImportReport) -> dict:
    return {"created": len(report.created), "changed": len(report.changed),
            "unchanged": report.unchanged, "left": len(report.left),
            "errors": len(report.errors), "bassins": len(report.bassins)}


def refusal(report: ImportReport) -> str:
    return ngettext(
        "Nothing was imported: %(errors)s row is wrong. Correct it and start again.",
        "Nothing was imported: %(errors)s rows are wrong. Correct them and start again.",
        len(report.errors),
    ) % {"errors": len(report.errors)}


def applied(report: ImportReport) -> str:
    return _("Import applied. Arrivals: %(created)s · changes: %(changed)s · departures: "
             "%(left)s") % counts(report)
