"""Roundcube beside the webmail (#16): the same operations on the same mailbox, in the same
run, through Roundcube's HTTP interface as its UI makes them (bench/roundcube.py)."""

import html
import random
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.urls import reverse

from bench import floor
from bench.concurrency import HttpSession, WebServer, run_loops
from bench.report import CONCURRENCY, Measured, Row, Target, cell
from bench.roundcube import Browser
from bench.stack import PASSWORD, Person
from bench.stats import Throughput, Timings, measure
from bench.webmail import BODY_FRAME

# Issue #16's targets for the webmail over HTTP, at every size (Roundcube's figure beside it
# is not part of them).
WARM_GOAL = Target("≤ 12 ms median, ≤ 25 ms p95",
                   lambda w, _rc: w.median <= 0.012 and w.p95 <= 0.025)  # fmt: skip
OPEN_GOAL = Target("≤ 15 ms median", lambda w, _rc: w.median <= 0.015)
SESSIONS_GOAL = Target("≥ 150 req/s, p95 < 250 ms",
                       lambda w, _rc: w.rate >= 150 and w.p95 < 0.250 and not w.errors)  # fmt: skip


@dataclass(frozen=True)
class Comparison:
    measure: str
    webmail: Measured
    roundcube: Measured
    goal: Target

    @property
    def ratio(self) -> float:
        """Webmail ÷ Roundcube: time for a time (below 1: the webmail is faster), rate for
        a throughput (above 1: the webmail is faster)."""
        if isinstance(self.webmail, Throughput):
            return self.webmail.rate / self.roundcube.rate if self.roundcube.rate else 0.0
        return self.webmail.median / self.roundcube.median

    @property
    def faster(self) -> str:
        """Who wins on both the median (the rate for a throughput) and the p95."""
        first = self.ratio > 1 if isinstance(self.webmail, Throughput) else self.ratio < 1
        tail = self.webmail.p95 <= self.roundcube.p95
        if first and tail:
            return "webmail"
        return "**Roundcube**" if not first and not tail else "**mixed**"

    def cells(self) -> tuple[str, ...]:
        met = "yes" if self.goal.check(self.webmail, self.roundcube) else "**no**"
        return (self.measure, cell(self.webmail), cell(self.roundcube), f"{self.ratio:.2f}×",
                self.faster, self.goal.text, met)  # fmt: skip


HEADER = ("measure", "webmail median / p95", "Roundcube median / p95", "webmail ÷ Roundcube",
          "faster (median and p95)", "target (#16)", "met?")  # fmt: skip


def signed_in(port: int, person: Person) -> Browser:
    """Signed in as the webmail and the floors log in to Dovecot: ``login*master``."""
    browser = Browser(port)
    browser.login(f"{person.login}*{settings.DOVECOT_MASTER_USER}", settings.DOVECOT_MASTER_SECRET)
    return browser


def _opened_uids(person: Person, count: int) -> tuple[list[int], list[int]]:
    """Different messages for each side, spread over the whole INBOX."""
    with floor.session(person.login) as raw:
        uids = raw.search(["ALL"])
    chosen = random.Random(11).sample(uids, min(len(uids), 2 * count))
    return chosen[::2], chosen[1::2]


def _webmail_over_http(
    person: Person, web: tuple[int, Path], repeat: int, uids: list[int]
) -> tuple[Timings, Timings]:
    """The webmail's warm inbox and open, through gunicorn as Roundcube through nginx."""
    port, log = web
    with WebServer(port, log):
        browser = HttpSession(port)
        browser.login(person.login, PASSWORD)

        def get(path: str) -> bytes:
            status, body = browser.request("GET", path)
            if status != 200:
                raise RuntimeError(f"GET {path} answered {status}")
            return body

        def open_message(uid: int) -> None:
            page = get(reverse("mail:message", args=[person.mailbox.id, "INBOX", uid]))
            frame = BODY_FRAME.search(page)
            if frame:
                get(html.unescape(frame[1].decode()))

        inbox = reverse("mail:folder", args=[person.mailbox.id, "INBOX"])
        warm = measure(lambda i: get(inbox), repeat=repeat, warmup=3)
        opened = measure(lambda i: open_message(uids[i % len(uids)]), repeat=repeat)
    return warm, opened


def compare(
    port: int, person: Person, rows: list[Row], repeat: int, sessions: int, seconds: float,
    web: tuple[int, Path],
) -> list[Comparison]:
    """The webmail through gunicorn (``web``: its port and log) and Roundcube through nginx
    (``port``), on the warm inbox and the opening of a message; the webmail's concurrency
    row of this size's run (already over HTTP) beside Roundcube's."""
    mine, theirs = _opened_uids(person, repeat + 2)
    warm, opened = _webmail_over_http(person, web, repeat, mine)
    browser = signed_in(port, person)
    page = measure(lambda i: browser.inbox(), repeat=repeat, warmup=3)
    result = [Comparison("Inbox page 1, warm (over HTTP)", warm, page, WARM_GOAL)]
    page = measure(lambda i: browser.message(theirs[i % len(theirs)]), repeat=repeat)
    result.append(Comparison("Open a message (over HTTP)", opened, page, OPEN_GOAL))
    found: dict = {row.target: row for row in rows}
    if CONCURRENCY in found:
        browsers = [signed_in(port, person) for _ in range(sessions)]
        load = run_loops([lambda b=b: b.inbox() for b in browsers], 3.0, seconds)
        row = found[CONCURRENCY]
        result.append(Comparison(row.measure, row.webmail, load, SESSIONS_GOAL))
    return result


def markdown(comparisons: list[Comparison]) -> list[str]:
    if not comparisons:
        return []
    lines = ["### Roundcube beside the webmail", ""]
    lines += ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    return [*lines, *("| " + " | ".join(c.cells()) + " |" for c in comparisons), ""]
