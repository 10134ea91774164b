"""`python -m bench.agenda`: the agenda's pages against Radicale's own REPORT, in one run.

A private Radicale (with the project's plugins) holds AGENDA_BENCH_EVENTS events (default
3,000, 200 of them weekly series without end) over a school year in one calendar. Measured
with Django's test Client (a whole request, every middleware, no HTTP): the week view, the
month view, creating an event; and the floor: the calendar-query REPORT for the same week,
sent raw over loopback HTTP as the web app's client sends it.

`make bench` runs it after delivery (``run`` and ``markdown``: a section of docs/benchmarks.md);
`python -m bench.agenda` runs it alone and prints that section.
"""

import base64
import http.client
import os
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timedelta
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
    from django.conf import settings

    from dav.credentials import master_login

    fmt = "%Y%m%dT%H%M%SZ"
    body = REPORT.format(start=start.strftime(fmt), end=end.strftime(fmt)).encode()
    token = base64.b64encode(f"{master_login(login)}:{settings.CALDAV_MASTER_SECRET}".encode())
    connection = http.client.HTTPConnection("127.0.0.1", settings.RADICALE_PORT, timeout=30)
    connection.request("REPORT", f"/{login}/personnel/", body=body, headers={
        "Authorization": f"Basic {token.decode()}", "Depth": "1",
        "Content-Type": "application/xml; charset=utf-8"})  # fmt: skip
    response = connection.getresponse()
    data = response.read()
    connection.close()
    assert response.status == 207, response.status
    return len(data)


@dataclass(frozen=True)
class AgendaResult:
    events: int
    recurring: int
    load_seconds: float
    repeat: int
    floor: Timings
    week: Timings
    month: Timings
    create: Timings


def _load(login: str, count: int, recurring: int) -> float:
    from dav.client import dav_session

    started = time.monotonic()

    def put(item):
        with dav_session(login) as store:
            store.put("personnel", item[0], item[1], etag=None)

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(put, _events(count, recurring)))
    return time.monotonic() - started


def run(repeat: int, count: int | None = None) -> AgendaResult:
    """Django set up and migrated: a private Radicale (RADICALE_PORT, under the bench's var/)
    loaded with ``count`` events (AGENDA_BENCH_EVENTS, 3,000), then each measure ``repeat``
    times after WARMUP untimed ones."""
    from django.test import Client

    from bench import stack, stats
    from calendar_app import services
    from devstack.radicale import RadicaleServer

    count = count or int(os.environ.get("AGENDA_BENCH_EVENTS", "3000"))
    recurring = min(200, count // 15)
    person = stack.make_person(LOGIN)
    radicale = RadicaleServer(env={"DATABASE_URL": os.environ["DATABASE_URL"]})
    radicale.start()
    try:
        services.calendars_of(person.user)  # «Personnel»
        print(f"Loading {count:,} events into Radicale…", flush=True)
        loaded = _load(person.login, count, recurring)
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(person.user)
        week_start = datetime(WEEK.year, WEEK.month, WEEK.day, tzinfo=PARIS)

        def timed(operation):
            return stats.measure(operation, repeat=repeat, warmup=WARMUP)

        floor = timed(lambda i: _raw_report(week_start, week_start + timedelta(days=7),
                                            person.login))  # fmt: skip
        week = timed(lambda i: client.get(f"/agenda/semaine/?date={WEEK.isoformat()}"))
        month = timed(lambda i: client.get(f"/agenda/vue/mois/?date={WEEK.isoformat()}"))
        create = timed(lambda i: client.post("/agenda/evenement/nouveau/", {
            "title": f"Créé {i}", "calendar": "personnel", "start_date": "2027-01-12",
            "start_time": "17:00", "end_date": "2027-01-12", "end_time": "18:00",
            "time_zone": "Europe/Paris", "busy": "busy", "privacy": "public",
            "frequency": "", "interval": "1", "ends": "never", "monthly_by": "date",
        }))  # fmt: skip
    finally:
        radicale.stop()
        stack.forget(person)
    return AgendaResult(count, recurring, loaded, repeat, floor, week, month, create)


def _met(ok: bool) -> str:
    return "yes" if ok else "**no**"


def markdown(result: AgendaResult) -> list[str]:
    ratio = result.week.median / result.floor.median
    rows = [
        ("Raw REPORT, one week (floor)", result.floor, "—", "—"),
        ("Week view", result.week, f"≤ {TARGETS['week'] * 1000:.0f} ms, ≤ {WEEK_RATIO:.0f}× "
         f"REPORT ({ratio:.2f}×)", _met(result.week.median <= TARGETS["week"]
                                       and ratio <= WEEK_RATIO)),
        ("Month view", result.month, f"≤ {TARGETS['month'] * 1000:.0f} ms",
         _met(result.month.median <= TARGETS["month"])),
        ("Create an event", result.create, f"≤ {TARGETS['create'] * 1000:.0f} ms",
         _met(result.create.median <= TARGETS["create"])),
    ]  # fmt: skip
    lines = [
        "## Agenda: the web agenda against Radicale's raw REPORT", "",
        f"{result.events:,} events in one calendar, {result.recurring} of them weekly series "
        f"without end (loaded in {result.load_seconds:.0f} s).", "",
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
            "over loopback HTTP to the same Radicale, as the web app's client sends it. Create: "
            "the «Nouvel événement» form posted, one PUT to Radicale (fsync) and the redirect.",
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
