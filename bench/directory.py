"""Directory search on a generated académie (100,000 people, 2,000 établissements in 40
bassins, a list per établissement and mathematics lists by bassin, by default): p95 of
``directory.search.search_people`` (the «Annuaire») and of ``directory.suggestions.suggest``
(the compose field) for every kind of query, and the time of the HR import (the people arrive
through it; then a night's export, rolled back), on the embedded SQLite or on PostgreSQL
(BENCH_DATABASE_URL; an académie found there already is measured as it is). `make bench` runs
it on SQLite, and on PostgreSQL too when BENCH_DATABASE_URL is set.

python -m bench.directory   (BENCH_DIRECTORY_PEOPLE, BENCH_DIRECTORY_ETABLISSEMENTS, BENCH_REPEAT;
BENCH_DIRECTORY_SLOWEST=3: each row's three slowest queries on stderr, to look at the tail)
"""

import csv
import io
import os
import random
import shutil
import sys
import time
from pathlib import Path

from bench import environment

PEOPLE = int(os.environ.get("BENCH_DIRECTORY_PEOPLE", 100_000))
ETABLISSEMENTS = int(os.environ.get("BENCH_DIRECTORY_ETABLISSEMENTS", 2_000))
KINDS = {"ecole": "École", "college": "Collège", "lycee": "Lycée"}
ALPHABET = "ABCDEFGHJKLMNPRSTUVWXYZ"  # UAI check letters
BASSINS = 40
LARGE_LIST, LARGE_MEMBERS = "grande-liste@ac-bench.test", 5000
SLOWEST = int(os.environ.get("BENCH_DIRECTORY_SLOWEST", 0))


def generate(rng: random.Random) -> None:
    """Names and attributes drawn from the demo académie's data file, combined at random."""
    from accounts.models import User
    from demo import academie
    from directory.models import Discipline, DistributionList, Etablissement
    from directory.search import etablissement_key, list_key

    firsts = sorted({p.first_name for p in academie.ACADEMIE_PEOPLE})
    lasts = sorted({p.last_name for p in academie.ACADEMIE_PEOPLE})
    cities = sorted({e.city for e in academie.ACADEMIE_ETABLISSEMENTS})
    patrons = sorted({p.last_name for p in academie.ACADEMIE_PEOPLE})
    roles = [(p.category, p.functions, p.disciplines) for p in academie.ACADEMIE_PEOPLE]
    etabs = []
    for n in range(ETABLISSEMENTS):
        digits = f"031{n:04d}"
        kind = rng.choice(list(KINDS))
        etabs.append(Etablissement(
            uai=digits + ALPHABET[int(digits) % 23], kind=kind, city=rng.choice(cities),
            name=f"{KINDS[kind]} {rng.choice(firsts)}-{rng.choice(patrons)}",
            bassin=f"Bassin {n % BASSINS + 1}",
        ))  # fmt: skip
    etabs = Etablissement.objects.bulk_create(etabs)
    for etab in etabs:  # bulk_create sends no signal: the keys directly
        etab.search_key = etablissement_key(etab)
    Etablissement.objects.bulk_update(etabs, ["search_key"], batch_size=2000)
    export = []
    for n in range(PEOPLE):
        first, last = rng.choice(firsts), rng.choice(lasts)
        category, functions, disciplines = rng.choice(roles)
        login = f"{academie.make_login(first, last)}{n}"
        also = rng.choice(etabs).uai if rng.random() < 0.05 else ""
        export.append([login, last, first, category, rng.choice(etabs).uai,
                       f"{login}@ac-bench.test", also, "|".join(functions),
                       "|".join(disciplines), ""])  # fmt: skip
    # The people arrive as the HR system's first export would bring them: the import timed.
    global FIRST_IMPORT
    FIRST_IMPORT = hr_import_timed(export, rollback=False)
    # The lists the compose field offers: one per établissement, mathematics by bassin.
    maths, _ = Discipline.objects.get_or_create(name="Mathématiques")
    DistributionList.objects.bulk_create([
        DistributionList(address=f"enseignants.{e.uai.lower()}@ac-bench.test",
                         etablissement=e, name=f"Enseignants – {e.name}",
                         categories=[User.Category.TEACHER_SECONDARY])
        for e in etabs
    ] + [
        DistributionList(address=f"mathematiques.bassin-{n + 1}@ac-bench.test",
                         name=f"Mathématiques – bassin {n + 1}", bassin=f"Bassin {n + 1}",
                         kind=DistributionList.Kind.DISCIPLINE, discipline=maths)
        for n in range(BASSINS)
    ], batch_size=1000)  # fmt: skip
    for dlist in DistributionList.objects.all():  # bulk_create sends no signal
        DistributionList.objects.filter(pk=dlist.pk).update(
            search_key=list_key(dlist.name, dlist.address))
    # A list of LARGE_LIST named members: its expansion at delivery is measured too.
    large = DistributionList.objects.create(address=LARGE_LIST, name="Grande liste",
                                            kind=DistributionList.Kind.FUNCTIONAL)
    chosen = list(User.objects.order_by("pk").values_list("pk", flat=True)[:LARGE_MEMBERS])
    DistributionList.members.through.objects.bulk_create(
        [DistributionList.members.through(distributionlist=large, user_id=pk) for pk in chosen],
        batch_size=5000)  # fmt: skip


HR_COLUMNS = ("identifiant", "nom", "prenom", "categorie", "uai", "courriel", "uai_secondaires",
              "fonctions", "disciplines", "telephone")
FIRST_IMPORT: dict | None = None  # the timings of the import that generated the académie


def hr_import_timed(rows: list[list[str]], *, rollback: bool) -> dict:
    """Seconds of each step of ``manage.py import_directory`` (read the CSV, the dry run, apply)
    over ``rows``, and its counts; with ``rollback`` the académie is left as it was."""
    from django.db import transaction

    from directory import hr_files, hr_import

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(HR_COLUMNS)
    writer.writerows(rows)
    data = buffer.getvalue().encode()
    seconds = {}
    started = time.perf_counter()
    raw = hr_files.read(data, "export.csv")
    seconds["read"] = time.perf_counter() - started
    with transaction.atomic():
        started = time.perf_counter()
        report = hr_import.plan(raw)
        seconds["plan"] = time.perf_counter() - started
        started = time.perf_counter()
        hr_import.apply(report)
        seconds["apply"] = time.perf_counter() - started
        if rollback:
            transaction.set_rollback(True)
    return {"rows": len(rows), "bytes": len(data), "seconds": seconds, **hr_import.counts(report)}


def daily_export(rng: random.Random) -> list[list[str]]:
    """Today's export of everyone in the directory, as the HR system sends it every night: 1 %
    changed (a new phone), 500 people left (absent; a tenth of a small académie), 500
    arrivals."""
    from accounts.models import User
    from directory.models import Discipline, Etablissement, Function, Person

    uai = dict(Etablissement.objects.values_list("pk", "uai"))
    names = {"functions": dict(Function.objects.values_list("pk", "name")),
             "disciplines": dict(Discipline.objects.values_list("pk", "name"))}
    people = {pk: {"etabs": [], "functions": [], "disciplines": [], "phone": phone}
              for pk, phone in Person.objects.values_list("pk", "phone")}
    for person_id, etab_id in Person.etablissements.through.objects.values_list(
            "person_id", "etablissement_id"):
        people[person_id]["etabs"].append(uai[etab_id])
    for relation, column in (("functions", "function_id"), ("disciplines", "discipline_id")):
        for person_id, value in getattr(Person, relation).through.objects.values_list(
                "person_id", column):
            people[person_id][relation].append(names[relation][value])
    rows = []
    users = User.objects.filter(is_active=True, pk__in=people).exclude(category="")
    for pk, login, first, last, category, email, main in users.values_list(
            "pk", "username", "first_name", "last_name", "category", "email",
            "etablissement_id").order_by("pk"):
        entry = people[pk]
        main_uai = uai.get(main, entry["etabs"][0] if entry["etabs"] else "")
        phone = f"05 61 {rng.randint(0, 99):02d} {rng.randint(0, 99):02d} 00" if (
            rng.random() < 0.01) else entry["phone"]
        rows.append([login, last, first, category, main_uai, email,
                     "|".join(sorted(set(entry["etabs"]) - {main_uai})),
                     "|".join(entry["functions"]), "|".join(entry["disciplines"]), phone])
    rng.shuffle(rows)
    template = rows[0]
    rows = rows[min(500, len(rows) // 10) :]
    rows += [[f"arrivee.bench{n}", "Arrivée", "Personne", template[3], template[4],
              f"arrivee.bench{n}@ac-bench.test", "", "", "", ""] for n in range(500)]
    return rows


def queries(rng: random.Random) -> dict[str, list[str]]:
    from directory.models import Etablissement, Person

    sample = list(Person.objects.select_related("user").order_by("?")[:40])
    etabs = list(Etablissement.objects.order_by("?")[:40])
    return {
        "one letter": [rng.choice("abcdefghijlmnprstv") for _ in range(40)],
        "two letters": [p.user.last_name[:2] for p in sample],
        "first name + start of last name": [
            f"{p.user.first_name} {p.user.last_name[:3]}" for p in sample
        ],
        "a whole name": [f"{p.user.last_name} {p.user.first_name}" for p in sample],
        "a name nobody has": [f"zz{rng.randint(0, 9999)}" for _ in range(40)],
        "a UAI, lower case": [e.uai.lower() for e in etabs],
        "a commune": [e.city for e in etabs],
        "a function": ["cpe", "directeur d ecole", "gestionnaire", "documentaliste", "enseignant"],
        "a discipline + a commune": [f"mathematiques {e.city}" for e in etabs],
    }


def measure(what: str) -> list[tuple[str, float, float, float, float]]:
    from accounts.models import User
    from bench.stats import Timings, repeat_count
    from directory.search import search_people
    from directory.suggestions import suggest

    def operation(text, viewer):
        if what == "search":
            return search_people(text, viewer=viewer)
        return suggest(viewer, text)

    rng = random.Random(15)
    viewers = list(User.objects.order_by("?")[:20])
    rows = []
    for label, texts in queries(rng).items():
        wall, cpu, texts_of = Timings(), Timings(), []
        for i in range(repeat_count(60)):
            text, viewer = texts[i % len(texts)], viewers[i % len(viewers)]
            started, started_cpu = time.perf_counter(), time.process_time()
            operation(text, viewer)
            wall.samples.append(time.perf_counter() - started)
            cpu.samples.append(time.process_time() - started_cpu)
            texts_of.append(text)
        if SLOWEST:
            slow = sorted(zip(wall.samples, texts_of, strict=True))[-SLOWEST:]
            print(f"{what}, {label}, slowest:", ", ".join(
                f"{text!r} {seconds * 1000:.1f} ms" for seconds, text in slow), file=sys.stderr)
        rows.append((label, wall.median * 1000, wall.p95 * 1000, cpu.median * 1000,
                     cpu.p95 * 1000))
    return rows


OUTPUT = Path(os.environ.get("BENCH_DIRECTORY_OUTPUT", "docs/benchmarks-directory.md"))
HEADER = (
    "# Directory search benchmark\n\n"
    "Written by `python -m bench.directory` (`bench/directory.py`); each run replaces the "
    "section of its engine. `directory.search.search_people` (the «Annuaire», 20 results) and "
    "`directory.suggestions.suggest` (the compose field: own établissement, contacts, recent "
    "correspondents, lists, the académie; 10 results) called in-process, each query by a "
    "different viewer (own établissement first). Targets (issue 15): p95 ≤ 30 ms on "
    "PostgreSQL, ≤ 50 ms on SQLite.\n"
)


def expansion() -> tuple[int, float, float] | None:
    """(mailboxes reached, median ms, p95 ms) of expanding the large list, as delivery does."""
    from bench.stats import Timings, repeat_count
    from directory import lists
    from directory.models import DistributionList

    if not DistributionList.objects.filter(address=LARGE_LIST).exists():
        return None  # an académie generated before the list existed
    timings, reached = Timings(), 0
    for _ in range(repeat_count(20)):
        started = time.perf_counter()
        reached = len(lists.expand([LARGE_LIST])[1])
        timings.samples.append(time.perf_counter() - started)
    return reached, timings.median * 1000, timings.p95 * 1000


def _table(caption: str, rows) -> list[str]:
    return [
        f"### {caption}", "",
        "| query | wall median / p95 (ms) | CPU of this process median / p95 (ms) |",
        "|---|---|---|",
        *(f"| {label} | {median:.1f} / {p95:.1f} | {cpu:.1f} / {cpu95:.1f} |"
          for label, median, p95, cpu, cpu95 in rows), "",
    ]  # fmt: skip


def _import_line(caption: str, timed: dict | None) -> str:
    if timed is None:
        return f"{caption}: not measured (an académie kept from an earlier run)."
    steps = timed["seconds"]
    return (
        f"{caption}: {timed['rows']:,} rows ({timed['bytes'] / 1e6:.1f} MB of CSV) in "
        f"{sum(steps.values()):.1f} s — reading {steps['read']:.1f} s, dry run "
        f"{steps['plan']:.1f} s, applying {steps['apply']:.1f} s; {timed['created']:,} "
        f"arrivals, {timed['changed']:,} changes, {timed['unchanged']:,} unchanged, "
        f"{timed['left']:,} departures."
    )


def _section(title: str, rows, suggestions, expanded, loaded: float | None,
             daily: dict) -> str:
    load = os.getloadavg()[0]
    lines = [
        f"## {title}", "",
        f"- Date: {time.strftime('%Y-%m-%d %H:%M %Z')}; {PEOPLE:,} people, "
        f"{ETABLISSEMENTS:,} établissements "
        f"({'kept from an earlier run' if loaded is None else f'generated in {loaded:.0f} s'}); "
        f"load average at the end {load:.1f} on {os.cpu_count()} cores", "",
        *_table("Directory search", rows),
        *_table("Compose suggestions", suggestions),
        (f"Expanding a list of {LARGE_MEMBERS:,} named members (`directory.lists.expand`, "
         f"{expanded[0]:,} mailboxes): median {expanded[1]:.0f} ms, p95 {expanded[2]:.0f} ms."
         if expanded else "No list of named members in this académie (generated before)."),
        "",
        _import_line("HR import, first export (every person arrives; `import_directory`)",
                     FIRST_IMPORT),
        "",
        _import_line("HR import, a night's export (rolled back after)", daily),
        "",
        "Target (issue 15): an HR import of 100,000 rows in ≤ 2 minutes.", "",
        "Wall time counts the waits for the CPU on a busy machine; the CPU time of the bench "
        "process is the whole work on SQLite (in-process), and only Django's part on "
        "PostgreSQL (the server's work is in its own process).", "",
    ]  # fmt: skip
    return "\n".join(lines)


def _write(title: str, section: str) -> None:
    text = OUTPUT.read_text() if OUTPUT.exists() else HEADER
    sections = {}
    for part in text.split("\n## ")[1:]:
        sections[part.split("\n", 1)[0]] = "## " + part.rstrip() + "\n"
    sections[title] = section
    OUTPUT.write_text(HEADER + "\n" + "\n".join(sections[t] for t in sorted(sections)))


def main() -> None:
    var_dir = environment.prepare()
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from directory.models import Person

        call_command("migrate", verbosity=0)
        started = time.monotonic()
        reused = Person.objects.exists()  # a BENCH_DATABASE_URL kept from an earlier run
        if not reused:
            generate(random.Random(2026))
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # both engines plan with fresh statistics
        loaded = None if reused else time.monotonic() - started
        rows, suggestions = measure("search"), measure("suggest")
        title = {"sqlite": "SQLite (embedded)", "postgresql": "PostgreSQL"}[connection.vendor]
        daily = hr_import_timed(daily_export(random.Random(16)), rollback=True)
        section = _section(title, rows, suggestions, expansion(), loaded, daily)
        print(section)
        _write(title, section)
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
