"""`python -m bench.agenda`: the agenda's pages against Radicale's own REPORT, in one run.

A private Radicale (with the project's plugins) holds AGENDA_BENCH_EVENTS events (default
3,000, 200 of them weekly series without end) over a school year in one calendar. Measured
with Django's test Client (a whole request, every middleware, no HTTP): the week view, the
month view, creating an event; and the floor: the calendar-query REPORT for the same week,
sent raw over loopback HTTP as the web app's client sends it. Not part of `make bench` yet.
"""

import base64
import http.client
import os
import shutil
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bench import environment
from devstack.loopback import free_port

PARIS = ZoneInfo("Europe/Paris")
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


def main() -> None:
    count = int(os.environ.get("AGENDA_BENCH_EVENTS", "3000"))
    recurring = min(200, count // 15)
    var_dir = environment.prepare()
    os.environ["RADICALE_PORT"] = str(free_port())
    try:
        import django

        django.setup()
        from django.test import Client

        from bench import stack, stats
        from calendar_app import services
        from devstack.radicale import RadicaleServer

        stack.migrate()
        person = stack.make_person("bench.agenda")
        radicale = RadicaleServer(env={"DATABASE_URL": os.environ["DATABASE_URL"]})
        radicale.start()
        try:
            services.calendars_of(person.user)  # «Personnel»
            started = time.monotonic()
            from dav.client import dav_session

            def put(item):
                with dav_session(person.login) as store:
                    store.put("personnel", item[0], item[1], etag=None)

            with ThreadPoolExecutor(4) as pool:
                list(pool.map(put, _events(count, recurring)))
            print(f"Loaded {count} events ({recurring} weekly without end) in "
                  f"{time.monotonic() - started:.0f} s", file=sys.stderr)  # fmt: skip
            client = Client(HTTP_HOST="127.0.0.1")
            client.force_login(person.user)
            repeat = stats.repeat_count(20)
            week_start = datetime(WEEK.year, WEEK.month, WEEK.day, tzinfo=PARIS)
            floor = stats.measure(lambda i: _raw_report(
                week_start, week_start + timedelta(days=7), person.login), repeat=repeat)
            week = stats.measure(lambda i: client.get(
                f"/agenda/semaine/?date={WEEK.isoformat()}"), repeat=repeat)
            month = stats.measure(lambda i: client.get(
                f"/agenda/vue/mois/?date={WEEK.isoformat()}"), repeat=repeat)
            create = stats.measure(lambda i: client.post("/agenda/evenement/nouveau/", {
                "title": f"Créé {i}", "calendar": "personnel", "start_date": "2027-01-12",
                "start_time": "17:00", "end_date": "2027-01-12", "end_time": "18:00",
                "time_zone": "Europe/Paris", "busy": "busy", "privacy": "public",
                "frequency": "", "interval": "1", "ends": "never", "monthly_by": "date",
            }), repeat=repeat)  # fmt: skip
        finally:
            radicale.stop()
        rows = [("Raw REPORT, one week (floor)", floor), ("Week view", week),
                ("Month view", month), ("Create an event", create)]  # fmt: skip
        print(f"| measure ({count} events, {recurring} recurring) | median ms | p95 ms |")
        print("|---|---|---|")
        for name, timing in rows:
            print(f"| {name} | {timing.median * 1000:.1f} | {timing.p95 * 1000:.1f} |")
        print(f"\nWeek view / raw REPORT: {week.median / floor.median:.2f}×")
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
