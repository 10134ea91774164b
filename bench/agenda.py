"""`python -m bench.agenda`: the agenda's pages against Radicale's own REPORT, in one run.

A private Radicale (with the project's plugins) holds AGENDA_BENCH_EVENTS events (default
3,000, 200 of them weekly series without end) over a school year in one calendar, indexed as
the hook's task does. Measured with Django's test Client (a whole request, every middleware,
no HTTP): the week view, the month view (both from the derived index), the week view with
the index behind (the REPORT path), creating an event; and the floors: the calendar-query
REPORT for the same week, sent raw over loopback HTTP as the web app's client sends it, and
a sync-collection REPORT with the current token (what a freshness check by sync token
would cost).

`make bench` runs it after delivery (``run`` and ``markdown``: a section of docs/benchmarks.md);
`python -m bench.agenda` runs it alone and prints that section.
"""

import base64
import http.client
import os
import shutil
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bench import environment
from bench.stats import Timings

PARIS = ZoneInfo("Europe/Paris")
LOGIN = "bench.agenda"
# Issue 13's targets: (row, median at most, seconds), and the week view against the REPORT.
TARGETS = {"week": 0.080, "month": 0.150, "create": 0.100}
WEEK_RATIO = 2.0
WARMUP = 2  # untimed requests first: they fill the caches a person's first visit would
WEEK = date(2027, 1, 11)  # a Monday of the loaded year
REPORT = """<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
<D:prop><D:getetag/><C:calendar-data/></D:prop>
<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">
<C:time-range start="{start}" end="{end}"/></C:comp-filter></C:comp-filter></C:filter>
</C:calendar-query>"""
SYNC = """<?xml version="1.0" encoding="utf-8"?>
<D:sync-collection xmlns:D="DAV:"><D:sync-token>{token}</D:sync-token><D:sync-level>1</D:sync-level>
<D:prop><D:getetag/></D:prop></D:sync-collection>"""


def _events(count: int, recurring: int):
    from calendar_app import edits, ical
    from calendar_app.edits import EventData, Recurrence

    first = date(2026, 9, 7)
    for n in range(count):
        day = first + timedelta(days=(n * 7) % 300)
        start = datetime(day.year, day.month, day.day, 8 + n % 10, 0, tzinfo=PARIS)
        rule = Recurrence(frequency="WEEKLY") if n < recurring else Recurrence()
        data = EventData(title=f"Événement {n}", start=start, end=start + timedelta(hours=1),
                         location="Salle 104", reminders=[15], recurrence=rule)  # fmt: skip
        uid = f"bench-{n}@ac-demo.test"
        yield ical.href_for(uid), ical.serialize(edits.new_event(data, uid=uid))


def _raw_report(start: datetime, end: datetime, login: str) -> int:
    fmt = "%Y%m%dT%H%M%SZ"
    return _raw(login, REPORT.format(start=start.strftime(fmt), end=end.strftime(fmt)))


def _raw_sync(login: str, token: str) -> int:
    return _raw(login, SYNC.format(token=token))


def _raw_put(login: str, n: int) -> int:
    """A new event written raw, as the web app's client writes one (Radicale then checks
    that no item of the collection has its UID: from dav.radicale_storage's index)."""
    text = next(_events(1, 0))[1].replace("bench-0@", f"raw-{n}@")
    return _raw(login, text, method="PUT", path=f"raw-{n}.ics")


def _raw(login: str, report: str, timeout: float = 30, method: str = "REPORT",
         path: str = "") -> int:  # fmt: skip
    from django.conf import settings

    from dav.credentials import master_login

    body = report.encode()
    token = base64.b64encode(f"{master_login(login)}:{settings.CALDAV_MASTER_SECRET}".encode())
    connection = http.client.HTTPConnection("127.0.0.1", settings.RADICALE_PORT, timeout=timeout)
    kind = "text/calendar" if method == "PUT" else "application/xml"
    connection.request(method, f"/{login}/personnel/{path}", body=body, headers={
        "Authorization": f"Basic {token.decode()}", "Depth": "1", "If-None-Match": "*",
        "Content-Type": f"{kind}; charset=utf-8"})  # fmt: skip
    response = connection.getresponse()
    data = response.read()
    connection.close()
    assert response.status in (201, 207), response.status
    return len(data)


@dataclass(frozen=True)
class AgendaResult:
    events: int
    recurring: int
    load_seconds: float
    repeat: int
    floor: Timings
    sync: Timings
    put: Timings
    week: Timings
    month: Timings
    behind: Timings
    create: Timings


def _load(login: str, count: int, recurring: int) -> float:
    """The events written as files into the collection's folder (as the webmail's bench
    writes Maildir files: 3,000 PUTs would each fsync three files), then indexed as the hook's
    task does. Files added by hand leave the storage plugin's UID index stale: the first PUT
    (an untimed one) rebuilds it, reading every item once."""
    from django.conf import settings
    from django.test import override_settings

    from calendar_app.index import reindex_collection

    started = time.monotonic()
    folder = Path(settings.RADICALE_DIR) / "collections" / "collection-root" / login / "personnel"
    for href, text in _events(count, recurring):
        (folder / href).write_text(text, encoding="utf-8")
    # Radicale parses each new file once, at the first request that reads it: done here, with
    # a patient timeout, not by the first sync (the web app's client gives up sooner).
    _raw(login, REPORT.format(start="20260101T000000Z", end="20260102T000000Z"), timeout=1800)
    with override_settings(CALDAV_TIMEOUT=1800):  # a first sync lists every event
        reindex_collection(login, "personnel")
    return time.monotonic() - started


def run(repeat: int, count: int | None = None) -> AgendaResult:
    """Django set up and migrated: a private Radicale (RADICALE_PORT, under the bench's var/)
    loaded with ``count`` events (AGENDA_BENCH_EVENTS, 3,000), then each measure ``repeat``
    times after WARMUP untimed ones."""
    from django.test import Client

    from bench import stack, stats
    from calendar_app import services
    from calendar_app.index import reindex_collection
    from calendar_app.models import CollectionState
    from devstack.radicale import RadicaleServer

    count = count or int(os.environ.get("AGENDA_BENCH_EVENTS", "3000"))
    recurring = min(200, count // 15)
    person = stack.make_person(LOGIN)
    radicale = RadicaleServer(env={"DATABASE_URL": os.environ["DATABASE_URL"]})
    radicale.start()
    try:
        services.calendars_of(person.user)  # «Personnel»
        print(f"Loading and indexing {count:,} events…", flush=True)
        loaded = _load(person.login, count, recurring)
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(person.user)
        week_start = datetime(WEEK.year, WEEK.month, WEEK.day, tzinfo=PARIS)

        def timed(operation):
            return stats.measure(operation, repeat=repeat, warmup=WARMUP)

        floor = timed(lambda i: _raw_report(week_start, week_start + timedelta(days=7),
                                            person.login))  # fmt: skip
        state = CollectionState.objects.get(owner=person.user, collection="personnel")
        sync = timed(lambda i: _raw_sync(person.login, state.sync_token))
        put = timed(lambda i: _raw_put(person.login, i))
        reindex_collection(person.login, "personnel")  # those PUTs indexed: current again
        week = timed(lambda i: client.get(f"/agenda/semaine/?date={WEEK.isoformat()}"))
        month = timed(lambda i: client.get(f"/agenda/vue/mois/?date={WEEK.isoformat()}"))
        # The index behind the store (a change not yet indexed): the pages ask Radicale.
        version = state.indexed_version
        CollectionState.objects.filter(pk=state.pk).update(indexed_version=version - 1)
        behind = timed(lambda i: client.get(f"/agenda/semaine/?date={WEEK.isoformat()}"))
        CollectionState.objects.filter(pk=state.pk).update(indexed_version=version)
        create = timed(lambda i: client.post("/agenda/evenement/nouveau/", {
            "title": f"Créé {i}", "calendar": "personnel", "start_date": "2027-01-12",
            "start_time": "17:00", "end_date": "2027-01-12", "end_time": "18:00",
            "time_zone": "Europe/Paris", "busy": "busy", "privacy": "public",
            "frequency": "", "interval": "1", "ends": "never", "monthly_by": "date",
        }))  # fmt: skip
    finally:
        radicale.stop()
        stack.forget(person)
    return AgendaResult(count, recurring, loaded, repeat, floor, sync, put, week, month,
                        behind, create)  # fmt: skip


def _met(ok: bool) -> str:
    return "yes" if ok else "**no**"


def markdown(result: AgendaResult) -> list[str]:
    ratio = result.week.median / result.floor.median
    rows = [
        ("Raw REPORT, one week (floor)", result.floor, "—", "—"),
        ("Raw sync-collection REPORT, nothing changed", result.sync, "—", "—"),
        ("Raw PUT of a new event (floor of create)", result.put, "—", "—"),
        ("Week view", result.week, f"≤ {TARGETS['week'] * 1000:.0f} ms, ≤ {WEEK_RATIO:.0f}× "
         f"REPORT ({ratio:.2f}×)", _met(result.week.median <= TARGETS["week"]
                                       and ratio <= WEEK_RATIO)),
        ("Month view", result.month, f"≤ {TARGETS['month'] * 1000:.0f} ms",
         _met(result.month.median <= TARGETS["month"])),
        ("Week view, index behind (REPORT path)", result.behind, "—", "—"),
        ("Create an event", result.create, f"≤ {TARGETS['create'] * 1000:.0f} ms",
         _met(result.create.median <= TARGETS["create"])),
    ]  # fmt: skip
    lines = [
        "## Agenda: the web agenda against Radicale's raw REPORT", "",
        f"{result.events:,} events in one calendar, {result.recurring} of them weekly series "
        f"without end (written and indexed in {result.load_seconds:.0f} s).", "",
        "| measure | median / p95 | target | met? |", "|---|---|---|---|",
    ]  # fmt: skip
    for name, timing, target, met in rows:
        lines.append(f"| {name} | {timing.median * 1000:.1f} / {timing.p95 * 1000:.1f} ms "
                     f"| {target} | {met} |")  # fmt: skip
    return [*lines, "",
            f"- {result.repeat} samples per measure after {WARMUP} untimed requests. Django's test "
            "`Client` in the bench process (a whole request, every middleware, no HTTP), signed "
            "in as the calendar's owner; a week of January of the loaded school year. Floor: "
            "the calendar-query REPORT (time range, calendar data) for the same week, sent raw "
            "over loopback HTTP to the same Radicale, as the web app's client sends it; the "
            "sync-collection REPORT is sent the same way with the index's current token. The "
            "week and month views read the derived index (its change count current); «index "
            "behind»: the same week with the index one change behind the count, so the page "
            "asks Radicale. Create: the «Nouvel événement» form posted, one PUT to Radicale "
            "(the new UID looked up in the storage plugin's index of the calendar's UIDs, "
            "three files fsynced, the hook counting the change and queueing its task), the "
            "event written into the index, and the redirect. The machine is shared: compare "
            "each line with the REPORT of the same run.",
            ""]  # fmt: skip


def main() -> None:
    var_dir = environment.prepare()
    try:
        import django

        django.setup()
        from bench import stack, stats

        stack.migrate()
        print("\n".join(markdown(run(stats.repeat_count(20)))))
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
