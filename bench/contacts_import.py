"""`python -m bench.contacts_import`: importing a large CSV into «Contacts», against Radicale's
own cost of storing the same cards, in one run.

A private Radicale (with the project's plugins); one person imports a Gmail-style CSV of
CONTACTS_BENCH_ROWS rows (default 50,000) through ``contacts.importing``, chunk after chunk as
the worker runs them (in this process, without Celery), then the same file again (every row
must update, none be added). Floors, on the same Radicale: the same cards sent raw in one PUT
of a whole collection, then the first sync-collection REPORT of it (what the import's own
writes cost at the least: the import writes each card about 1.5 times and syncs after each
chunk), files written and fsynced one by one (the disk), and single PUTs of a new card into
the full book (what a card-by-card import pays per card at that size).

`make bench` runs it after the agenda (``run`` and ``markdown``: a section of
docs/benchmarks.md); `python -m bench.contacts_import` runs it alone and prints that section.
"""

import base64
import http.client
import os
import shutil
import tempfile
import time
from dataclasses import dataclass

from bench import environment
from bench.stats import Timings

LOGIN = "bench.contacts"
FLOOR_BOOK = "plancher"
SINGLE_PUTS = 10
SYNC = ('<?xml version="1.0" encoding="utf-8"?><sync-collection xmlns="DAV:"><sync-token/>'
        "<sync-level>1</sync-level><prop><getetag/></prop></sync-collection>")


def _csv(rows: int) -> bytes:
    lines = ["First Name,Last Name,E-mail 1 - Value,Phone 1 - Value,Organization Name"]
    lines += [f"Prénom{n},Nom{n},personne{n}@example.org,06 {n:08d},Mairie {n % 300}"
              for n in range(rows)]  # fmt: skip
    return ("\n".join(lines) + "\n").encode()


def _card(n: int) -> str:
    return (f"BEGIN:VCARD\r\nVERSION:3.0\r\nUID:plancher-{n}\r\nFN:Prénom{n} Nom{n}\r\n"
            f"N:Nom{n};Prénom{n};;;\r\nEMAIL;TYPE=INTERNET:personne{n}@example.org\r\n"
            f"TEL;TYPE=CELL:06 {n:08d}\r\nORG:Mairie {n % 300}\r\nEND:VCARD\r\n")  # fmt: skip


def _raw(method: str, path: str, body: str, headers: dict) -> int:
    from django.conf import settings

    from dav.credentials import master_login

    token = base64.b64encode(f"{master_login(LOGIN)}:{settings.CALDAV_MASTER_SECRET}".encode())
    connection = http.client.HTTPConnection("127.0.0.1", settings.RADICALE_PORT, timeout=3600)
    connection.request(method, path, body=body.encode(), headers={
        "Authorization": f"Basic {token.decode()}", **headers})  # fmt: skip
    response = connection.getresponse()
    response.read()
    connection.close()
    return response.status


@dataclass(frozen=True)
class ImportResult:
    rows: int
    chunks: list[tuple[int, float]]  # (rows done after it, seconds)
    first: float
    again: float
    again_updated: int
    indexed: int
    whole_put: float
    first_sync: float
    file_writes: float
    single_put: Timings


def _import(user, data: bytes) -> tuple[float, list[tuple[int, float]]]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from contacts import importing
    from contacts.models import ContactImport

    started = time.monotonic()
    imp = importing.start(user, SimpleUploadedFile("grand.csv", data))
    imp.status = ContactImport.Status.RUNNING  # as confirm() does; this process is the worker
    imp.save()
    chunks = []
    while True:
        more = importing.run_chunk(imp.pk)
        imp.refresh_from_db()
        chunks.append((imp.done, time.monotonic() - started))
        print(f"  {imp.done:,} rows in {chunks[-1][1]:.0f} s", flush=True)
        if not more:
            return time.monotonic() - started, chunks


def _file_writes(rows: int) -> float:
    folder = tempfile.mkdtemp(prefix="bench-cards-")
    try:
        started = time.monotonic()
        for n in range(rows):
            with open(os.path.join(folder, f"{n}.vcf"), "w", encoding="utf-8") as file:
                file.write(_card(n))
                file.flush()
                os.fsync(file.fileno())
        return time.monotonic() - started
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run(rows: int | None = None) -> ImportResult:
    from bench import stack
    from contacts.models import ContactImport, IndexedContact
    from contacts.services import CONTACTS, ensure_books
    from dav.carddav import carddav_session
    from devstack.radicale import RadicaleServer

    rows = rows or int(os.environ.get("CONTACTS_BENCH_ROWS", "50000"))
    person = stack.make_person(LOGIN)
    radicale = RadicaleServer(env={"DATABASE_URL": os.environ["DATABASE_URL"]})
    radicale.start()
    try:
        ensure_books(person.user)
        data = _csv(rows)
        print(f"Importing {rows:,} contacts…", flush=True)
        first, chunks = _import(person.user, data)
        print("Importing the same file again…", flush=True)
        again, _chunks = _import(person.user, data)
        updated = ContactImport.objects.latest("pk").updated
        indexed = IndexedContact.objects.filter(owner=person.user, book=CONTACTS).count()
        print("Floors…", flush=True)
        with carddav_session(LOGIN) as store:
            store.make_address_book(FLOOR_BOOK, "Plancher")
        started = time.monotonic()
        status = _raw("PUT", f"/{LOGIN}/{FLOOR_BOOK}/", "".join(_card(n) for n in range(rows)),
                      {"Content-Type": "text/vcard; charset=utf-8"})  # fmt: skip
        whole_put = time.monotonic() - started
        assert status in (201, 204), status
        started = time.monotonic()  # its first sync writes Radicale's history of each card
        status = _raw("REPORT", f"/{LOGIN}/{FLOOR_BOOK}/", SYNC, {
            "Content-Type": "application/xml; charset=utf-8"})  # fmt: skip
        first_sync = time.monotonic() - started
        assert status == 207, status
        single = Timings()
        for n in range(SINGLE_PUTS):
            started = time.monotonic()
            status = _raw("PUT", f"/{LOGIN}/{CONTACTS}/seul-{n}.vcf", _card(rows + n),
                          {"Content-Type": "text/vcard; charset=utf-8", "If-None-Match": "*"})
            single.samples.append(time.monotonic() - started)
            assert status == 201, status
        file_writes = _file_writes(rows)
    finally:
        radicale.stop()
        stack.forget(person)
    return ImportResult(rows, chunks, first, again, updated, indexed, whole_put, first_sync,
                        file_writes, single)  # fmt: skip


def markdown(result: ImportResult) -> list[str]:
    n = result.rows
    per_card = result.single_put.median
    steps = ", ".join(f"{done:,} at {seconds:.0f} s" for done, seconds in result.chunks)
    return [
        "## Contacts: importing a large CSV against Radicale's own writes", "",
        f"{n:,} rows (Gmail CSV: name, address, phone, organisation) into an empty «Contacts».",
        "", "| measure | time | per card |", "|---|---|---|",
        f"| Import, first time (read, merge, whole-book writes, index) | {result.first:.0f} s "
        f"| {result.first / n * 1000:.2f} ms |",
        f"| Same file again ({result.again_updated:,} updated, {result.indexed:,} contacts in "
        f"the index) | {result.again:.0f} s | {result.again / n * 1000:.2f} ms |",
        f"| Floor: the same cards in one raw PUT of a whole collection | {result.whole_put:.0f} s "
        f"| {result.whole_put / n * 1000:.2f} ms |",
        f"| Floor: then its first sync-collection REPORT (Radicale writes each card's sync "
        f"history) | {result.first_sync:.0f} s | {result.first_sync / n * 1000:.2f} ms |",
        f"| Floor: {n:,} files written and fsynced one by one | {result.file_writes:.0f} s "
        f"| {result.file_writes / n * 1000:.2f} ms |",
        f"| Card by card: one raw PUT of a new card into the full book (median of "
        f"{len(result.single_put.samples)}; × {n:,} cards ≈ {per_card * n / 3600:.1f} h) "
        f"| {per_card * 1000:.0f} ms | {per_card * 1000:.0f} ms |", "",
        f"- Progress as the page shows it (rows done, seconds since the start): {steps}.",
        "- The import runs in the bench process as the worker runs it (chunk after chunk, "
        "without Celery). A single PUT of a new card makes Radicale read the whole book to "
        "check that its UID is new: the card-by-card line is what the import cost before it "
        "wrote whole books, per card, once the book is full.", "",
    ]  # fmt: skip


def main() -> None:
    with environment.alone():
        print("\n".join(markdown(run())))


if __name__ == "__main__":
    main()
