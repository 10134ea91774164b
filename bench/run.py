"""`make bench`: the webmail against its raw IMAP floor, delivery against raw LMTP, the
agenda against Radicale's raw REPORT (bench/agenda.py), free/busy against its index query
(bench/freebusy.py), room bookings and invitations against their floors
(bench/scheduling.py), and a contacts import against Radicale's raw writes
(bench/contacts_import.py), each measured in the same run.

BENCH_SIZES (default "1000,10000,50000", #16's sizes): INBOX sizes, measured in increasing
order; the bench user's INBOX grows from one to the next (the other folders stay).
BENCH_REPEAT (default 30):
samples per measure. BENCH_CONCURRENCY_SECONDS (default 15). BENCH_OUTPUT (default
docs/benchmarks.md). BENCH_DATABASE_URL: another database than the private SQLite file.
AGENDA_BENCH_EVENTS (default 3000): events in the agenda's calendar. FREEBUSY_BENCH_EVENTS
(default 100): events of each of the 40 people of free/busy. IMIP_BENCH_ATTENDEES (default
200): attendees of the measured invitation (bench/scheduling.py, with the room bookings).
CONTACTS_BENCH_ROWS (default 50000): rows of the contacts import (bench/contacts_import.py).
BENCH_ROUNDCUBE=0: without Debian's Roundcube beside the webmail (bench/beside.py).
BENCH_WEBMAIL_ONLY=1: the webmail (and Roundcube) only, without the other sections.
BENCH_CLUSTER_MESSAGES (default 600): messages of the two-workers-against-one measure
(bench/cluster_speed.py, with two web nodes against one); BENCH_CLUSTER_ONLY=1: that section
alone, rewritten in place in the report.
Everything else (var/ directory, Dovecot, Radicale, ports, Redis database 12) is private to
the run, and the directory is deleted at the end.
"""

import contextlib
import os
import shutil
import sys
import time
from pathlib import Path

from bench import corpus, environment
from devstack.loopback import free_port

LOGIN = "bench.convergence"
SESSIONS = 20
OTHER_FOLDERS = ("Sent", "Archive", "Administration", "Classes/2nde 3", "Projets/Erasmus")
METHOD = [
    "One bench user; its INBOX grows from one size to the next. Beside it, five folders of "
    "2,000 messages (fewer when the smallest size is under 10,000) and an empty folder for "
    f"moves. French school mail of {corpus.size_summary()}, about half of it transport "
    f"headers (Received, DKIM…), {corpus.ATTACHMENT_PERCENT} % with a small PDF attachment, "
    f"{corpus.HTML_PERCENT} % with an HTML alternative, 35 % quoting a previous message, "
    "dates spread over three years.",
    "Loading: Maildir files written directly, then `doveadm index` per folder (UIDs, "
    "Dovecot's caches and the fts-xapian full-text index) before any measure. Delivering "
    "through LMTP or IMAP APPEND would index the same way, one message per transaction.",
    "Webmail (measures 1–5): Django's test `Client` in the bench process: a whole request "
    "through every middleware, view and template, without HTTP. Warm: one signed-in session, "
    "the INBOX requested again and again. First after login: the webmail's IMAP pool emptied "
    "(`close_all_sessions()`), a new client signs in through the sign-in form (untimed), its "
    "first INBOX page is timed (until 2026-12-07 the client signed in with `Client.login`, "
    "which bypasses the request handler: each timed page then loaded the middleware, "
    "WhiteNoise's scan of every static file included, about 100 ms a web process pays once). "
    "Open: the message's page, then its sandboxed body frame when it has one (HTML bodies), "
    "as the browser fetches both before the text shows.",
    "Roundcube beside the webmail (#16, `bench/roundcube.py`, `bench/beside.py`): Debian's "
    "Roundcube 1.6 (elastic skin, no plugin, Debian's defaults otherwise: no IMAP or message "
    "cache), served by the bench's own php-fpm pool (static, as many children as gunicorn "
    "has threads, opcache as Debian ships it) behind its own nginx on a free loopback port, "
    "configured in the run's private directory, its database a SQLite file there. It signs "
    "in to the same Dovecot as the webmail, `user*master` through its login form (token and "
    "session cookie), 50 messages a page, sorted by date descending, and is timed over "
    "loopback HTTP (`http.client`, keep-alive), after the webmail's measures of the same "
    "size. Warm: the list request of its UI "
    "(`?_task=mail&_action=list&_mbox=INBOX&_page=1&_remote=1`, `X-Roundcube-Request` "
    "token), again and again. Open: the show action (`_action=show`), whose page carries the "
    "washed body inline (no second request), a different message each time. Concurrency: "
    f"{SESSIONS} Roundcube sessions doing the list request in a loop, counted as the "
    "webmail's. Static files (scripts, styles) are left out on both sides, as a browser "
    "caches them. In that table the webmail is timed over loopback HTTP too, unlike its "
    "in-process rows above: gunicorn as in the concurrency measure, one session signed in "
    "through the login form, the INBOX page, then a message's page and its body frame, "
    "other messages than Roundcube's of the same sample.",
    "Floors: imapclient on loopback, logged in as `user*master` like the webmail. Warm: INBOX "
    "selected, `UID SORT (REVERSE DATE) UTF-8 ALL` + `UID FETCH` of 50 (ENVELOPE FLAGS "
    "RFC822.SIZE INTERNALDATE BODYSTRUCTURE). First after login: connect + LOGIN + SELECT + "
    "SORT + FETCH. Open: `UID FETCH BODY.PEEK[]`, a different message each time (the webmail "
    "opens others from the same sample). Move: `UID MOVE` of the 50 newest. Search: SELECT + "
    "`UID SEARCH TEXT` in every folder but Trash and Junk.",
    "First search of a new word (#16): at every sample a word of the corpus that neither "
    "side has searched before (the floor and the webmail take alternate words), so nothing "
    "is cached. This folder: the INBOX's search box (`?q=`) against SORT (REVERSE DATE) TEXT "
    "+ FETCH of 50 envelopes. All folders: `/recherche/?text=` (exact count, pages merged by "
    "date) against SELECT + SORT (REVERSE DATE) TEXT in every folder but Trash and Junk and "
    "one FETCH of 50 envelopes.",
    "Move: before each webmail sample the INBOX page is loaded (untimed), as a user does "
    "before selecting; after each sample the 50 messages are moved back and Dovecot's "
    "indexer (fts_autoindex) is left to finish, outside the timed region.",
    f"Concurrency (every size): gunicorn as in production (one process per core, "
    f"4 threads each) in a subprocess; {SESSIONS} threads each sign in through the login form "
    f"(CSRF token, session cookie) and GET the INBOX in a loop over loopback HTTP "
    f"(`http.client`, keep-alive). Floor: {SESSIONS} threads each with its own IMAP "
    "connection doing SORT + FETCH 50 in a loop. The first 3 s are not counted.",
]


def _roundcube(services: contextlib.ExitStack, var_dir: Path) -> int | None:
    """The port of Roundcube served beside the webmail, None when it is left out."""
    from django.conf import settings

    from bench import roundcube

    if os.environ.get("BENCH_ROUNDCUBE", "1") == "0":
        return None
    port = free_port()
    workers = (os.cpu_count() or 2) * 4  # as many PHP children as gunicorn has threads
    try:
        services.enter_context(
            roundcube.Roundcube(var_dir / "roundcube", port, settings.IMAP_PORT, workers)
        )
    except roundcube.Unavailable as exc:
        print(f"Roundcube left out: {exc}", file=sys.stderr)
        return None
    return port


def _sizes() -> list[int]:
    raw = os.environ.get("BENCH_SIZES", "1000,10000,50000")
    sizes = sorted({int(part) for part in raw.split(",") if part.strip()})
    if not sizes or min(sizes) < 100:
        raise SystemExit("BENCH_SIZES: comma-separated INBOX sizes of at least 100")
    return sizes


def _run(sizes: list[int], var_dir: Path, started: float) -> None:
    import django

    django.setup()
    from django.conf import settings

    from bench import (
        agenda,
        beside,
        cluster_speed,
        contacts_import,
        delivery,
        freebusy,
        load,
        machine,
        report,
        scenarios,
        scheduling,
        stack,
        stats,
    )
    from mail.imap import close_all_sessions

    repeat = stats.repeat_count()
    seconds = float(os.environ.get("BENCH_CONCURRENCY_SECONDS", "15"))
    output = Path(settings.BASE_DIR) / os.environ.get("BENCH_OUTPUT", "docs/benchmarks.md")
    stack.migrate()
    person = stack.make_person(LOGIN)
    other = min(2000, max(100, sizes[0] // 5))
    folders = [load.Folder(name, other, 2027 + n) for n, name in enumerate(OTHER_FOLDERS)]
    folders.append(load.Folder(scenarios.MOVE_TARGET, 0, 0))
    server = stack.dovecot()
    server.start()
    services = contextlib.ExitStack()
    try:
        beside_port = _roundcube(services, var_dir)
        results, loaded = [], 0
        for size in sizes:
            folders.append(load.Folder("INBOX", size - loaded, 2026, start=loaded))
            print(f"Loading {sum(f.count for f in folders):,} messages…", flush=True)
            times = load.load(server.config.config_path, LOGIN, person.user.email, folders)
            loaded, folders = size, []
            result = report.SizeResult(size, size + other * len(OTHER_FOLDERS), times)
            print(f"{result.load_note}\nMeasuring {size:,}…", flush=True)
            close_all_sessions()  # the webmail starts each size with no IMAP connection
            rows, notes = scenarios.run_all(server, person, repeat)
            result.rows += rows
            result.notes += notes
            close_all_sessions()  # #16 asks for 20 sessions at every size
            row = scenarios.concurrency(server, person, SESSIONS, free_port(),
                                        var_dir / "gunicorn.log", seconds)  # fmt: skip
            result.rows.append(row)
            if beside_port:
                print(f"Measuring Roundcube at {size:,}…", flush=True)
                stack.wait_quiet(server)
                web = (free_port(), var_dir / "gunicorn.log")
                compared = beside.compare(beside_port, person, result.rows, repeat, SESSIONS,
                                          seconds, web)  # fmt: skip
                result.beside = beside.markdown(compared)
            results.append(result)
            print(report.text_table(result), flush=True)
        services.close()  # Roundcube's servers stop before the other sections
        sections = []
        if os.environ.get("BENCH_WEBMAIL_ONLY", "0") != "1":
            delivery_repeat = max(3, repeat // 6)
            print("Measuring delivery…", flush=True)
            rows = delivery.run(LOGIN, person.user.email, var_dir, delivery_repeat)
            print("Measuring room bookings and invitations…", flush=True)
            scheduling_result = scheduling.run(person, server, var_dir, repeat)
            print("Measuring the agenda…", flush=True)
            agenda_result = agenda.run(repeat)
            print("Measuring free/busy…", flush=True)
            freebusy_result = freebusy.run(repeat)
            print("Measuring a contacts import…", flush=True)
            contacts_result = contacts_import.run()
            cluster_lines = cluster_speed.section(person, var_dir, seconds, server)
            sections = (delivery.markdown(rows, delivery_repeat)
                        + cluster_lines
                        + agenda.markdown(agenda_result)
                        + freebusy.markdown(freebusy_result)
                        + scheduling.markdown(scheduling_result)
                        + contacts_import.markdown(contacts_result))  # fmt: skip
        output.parent.mkdir(parents=True, exist_ok=True)
        elapsed = time.monotonic() - started
        sampling = (
            f"Samples: {repeat} per measure after 1 to 3 untimed warm-up requests "
            f"({scenarios.move_repeat(repeat)} for the move); p95 interpolated between samples. "
            f"Concurrency: {seconds:.0f} s measured per side."
        )
        method = [*METHOD, sampling]
        report.write_markdown(output, machine.describe(), results, method, elapsed, sections)
        print(f"Written to {output}")
    finally:
        services.close()
        close_all_sessions()
        server.stop()
        stack.forget(person)


def _cluster_only(var_dir: Path) -> None:
    import django

    django.setup()
    from django.conf import settings

    from bench import cluster_speed

    output = Path(settings.BASE_DIR) / os.environ.get("BENCH_OUTPUT", "docs/benchmarks.md")
    seconds = float(os.environ.get("BENCH_CONCURRENCY_SECONDS", "15"))
    cluster_speed.only(var_dir, LOGIN, output, seconds)


def main() -> None:
    sizes = _sizes()
    var_dir = environment.prepare()
    started = time.monotonic()
    try:
        if os.environ.get("BENCH_CLUSTER_ONLY", "0") == "1":
            _cluster_only(Path(var_dir))
        else:
            _run(sizes, Path(var_dir), started)
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
        print(f"make bench took {time.monotonic() - started:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
