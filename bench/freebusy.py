"""Free/busy of 40 people over a week (issue #14: ≤ 150 ms median), against its floor.

A private Radicale holds FREEBUSY_BENCH_EVENTS events per person (default 100, one in
fifteen a weekly series without end), written by CalDAV and indexed as the hook's task
does; then GET /agenda/disponibilites/ with the 40 addresses over one week, measured with
Django's test Client (a whole request, every middleware). Floor, in the same run: the same
busy periods read straight from the index (one query of ``BusyPeriod``), which is all the
page needs from the database.

`make bench` runs it (``run`` and ``markdown``); `python -m bench.freebusy` runs it alone.
"""

import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from bench import environment
from bench.agenda import PARIS, WEEK, _events
from bench.stats import Timings

PEOPLE = 40
TARGET = 0.150


@dataclass(frozen=True)
class FreeBusyResult:
    people: int
    events: int
    load_seconds: float
    repeat: int
    page: Timings
    floor: Timings


def run(repeat: int, count: int | None = None) -> FreeBusyResult:
    """Django set up and migrated; starts and stops its own Radicale (RADICALE_PORT)."""
    from django.test import Client

    from bench import stack, stats
    from calendar_app import services
    from calendar_app.index import reindex_collection
    from calendar_app.models import BusyPeriod
    from dav.client import dav_session
    from devstack.radicale import RadicaleServer

    count = count or int(os.environ.get("FREEBUSY_BENCH_EVENTS", "100"))
    people = [stack.make_person(f"bench.fb{n}") for n in range(PEOPLE)]
    radicale = RadicaleServer(env={"DATABASE_URL": os.environ["DATABASE_URL"]})
    radicale.start()
    try:
        started = time.monotonic()
        for person in people:
            services.calendars_of(person.user)

        def load(person):
            with dav_session(person.login) as store:
                for href, text in _events(count, count // 15):
                    store.put("personnel", href, text, etag=None)

        with ThreadPoolExecutor(4) as pool:
            list(pool.map(load, people))
        for person in people:  # one writer: the bench's database may be SQLite
            reindex_collection(person.login, "personnel")
        loaded = time.monotonic() - started
        print(f"Loaded and indexed {PEOPLE} × {count} events in {loaded:.0f} s", flush=True)
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(people[0].user)
        start = datetime(WEEK.year, WEEK.month, WEEK.day, tzinfo=PARIS)
        end = start + timedelta(days=7)
        query = {"email": [p.user.email for p in people], "debut": start.isoformat(),
                 "fin": end.isoformat()}  # fmt: skip
        assert client.get("/agenda/disponibilites/", query).status_code == 200
        owners = [p.user.id for p in people]
        floor = stats.measure(lambda i: list(BusyPeriod.objects.filter(
            owner_id__in=owners, starts_at__lt=end, ends_at__gt=start).values_list(
                "owner_id", "starts_at", "ends_at", "title", "private")),
            repeat=repeat)  # fmt: skip
        page = stats.measure(lambda i: client.get("/agenda/disponibilites/", query),
                             repeat=repeat)  # fmt: skip
    finally:
        radicale.stop()
        for person in people:
            stack.forget(person)
    return FreeBusyResult(PEOPLE, count, loaded, repeat, page, floor)


def markdown(result: FreeBusyResult) -> list[str]:
    met = "yes" if result.page.median <= TARGET else "**no**"
    ratio = result.page.median / result.floor.median
    return [
        "## Free/busy: 40 people over a week", "",
        f"{result.people} people × {result.events} events each (one in fifteen a weekly "
        f"series without end), loaded through Radicale and indexed in "
        f"{result.load_seconds:.0f} s.", "",
        "| measure | median / p95 | target | met? |", "|---|---|---|---|",
        f"| Busy periods read from the index (floor) | {result.floor.median * 1000:.1f} / "
        f"{result.floor.p95 * 1000:.1f} ms | — | — |",
        f"| `/agenda/disponibilites/`, {result.people} addresses, one week | "
        f"{result.page.median * 1000:.1f} / {result.page.p95 * 1000:.1f} ms | "
        f"≤ {TARGET * 1000:.0f} ms ({ratio:.1f}× the floor) | {met} |", "",
        f"- {result.repeat} samples per measure after 2 untimed ones. The page: Django's test "
        "`Client` (a whole request, every middleware, the JSON answer with public holidays "
        "and privacy applied). Floor: the one indexed query of `BusyPeriod` the page makes, "
        "alone.", "",
    ]  # fmt: skip


def main() -> None:
    with environment.alone():
        from bench import stats

        print("\n".join(markdown(run(stats.repeat_count(30)))))


if __name__ == "__main__":
    main()
