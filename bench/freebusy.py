"""`python -m bench.freebusy`: free/busy of 40 people over a week (issue #14: ≤ 150 ms median).

A private Radicale holds FREEBUSY_BENCH_EVENTS events per person (default 100, one in
fifteen a weekly series without end), written by CalDAV and indexed as the hook's task
does; then GET /agenda/disponibilites/ with the 40 addresses over one week, measured with
Django's test Client (a whole request, every middleware). Not part of `make bench` yet.
"""

import os
import shutil
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from bench import environment
from bench.agenda import PARIS, WEEK, _events
from devstack.loopback import free_port

PEOPLE = 40


def main() -> None:
    count = int(os.environ.get("FREEBUSY_BENCH_EVENTS", "100"))
    var_dir = environment.prepare()
    os.environ["RADICALE_PORT"] = str(free_port())
    try:
        import django

        django.setup()
        from django.test import Client

        from bench import stack, stats
        from calendar_app import services
        from calendar_app.index import reindex_collection
        from dav.client import dav_session
        from devstack.radicale import RadicaleServer

        stack.migrate()
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
            print(f"Loaded and indexed {PEOPLE} × {count} events in "
                  f"{time.monotonic() - started:.0f} s", file=sys.stderr)  # fmt: skip
            client = Client(HTTP_HOST="127.0.0.1")
            client.force_login(people[0].user)
            start = datetime(WEEK.year, WEEK.month, WEEK.day, tzinfo=PARIS)
            query = {"email": [p.user.email for p in people], "debut": start.isoformat(),
                     "fin": (start + timedelta(days=7)).isoformat()}  # fmt: skip
            assert client.get("/agenda/disponibilites/", query).status_code == 200
            timing = stats.measure(lambda i: client.get("/agenda/disponibilites/", query),
                                   repeat=stats.repeat_count(30))  # fmt: skip
        finally:
            radicale.stop()
        print(f"| measure ({PEOPLE} people × {count} events) | median ms | p95 ms | target |")
        print("|---|---|---|---|")
        print(f"| Free/busy, {PEOPLE} people, one week | {timing.median * 1000:.1f} | "
              f"{timing.p95 * 1000:.1f} | ≤ 150 |")  # fmt: skip
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
