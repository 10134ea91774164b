"""Roundcube beside the webmail (#16): the same operations on the same mailbox, in the same
run, through Roundcube's HTTP interface as its UI makes them (bench/roundcube.py)."""

import random
from dataclasses import dataclass

from django.conf import settings

from bench import floor
from bench.concurrency import run_loops
from bench.report import CONCURRENCY, MESSAGE, WARM, Measured, Row, cell
from bench.roundcube import Browser
from bench.stack import Person
from bench.stats import Throughput, measure


@dataclass(frozen=True)
class Comparison:
    measure: str
    webmail: Measured
    roundcube: Measured

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
        return (self.measure, cell(self.webmail), cell(self.roundcube), f"{self.ratio:.2f}×",
                self.faster)  # fmt: skip


HEADER = ("measure", "webmail median / p95", "Roundcube median / p95", "webmail ÷ Roundcube",
          "faster (median and p95)")  # fmt: skip


def signed_in(port: int, person: Person) -> Browser:
    """Signed in as the webmail and the floors log in to Dovecot: ``login*master``."""
    browser = Browser(port)
    browser.login(f"{person.login}*{settings.DOVECOT_MASTER_USER}", settings.DOVECOT_MASTER_SECRET)
    return browser


def _opened_uids(person: Person, count: int) -> list[int]:
    with floor.session(person.login) as raw:
        uids = raw.search(["ALL"])
    return random.Random(11).sample(uids, min(len(uids), count))


def compare(
    port: int, person: Person, rows: list[Row], repeat: int, sessions: int, seconds: float
) -> list[Comparison]:
    """Roundcube's figures for the webmail's rows measured in this size's run."""
    browser = signed_in(port, person)
    found: dict = {row.target: row for row in rows}
    result = []
    if WARM in found:
        page = measure(lambda i: browser.inbox(), repeat=repeat, warmup=3)
        result.append(Comparison(found[WARM].measure, found[WARM].webmail, page))
    if MESSAGE in found:
        uids = _opened_uids(person, repeat + 2)
        page = measure(lambda i: browser.message(uids[i % len(uids)]), repeat=repeat)
        result.append(Comparison(found[MESSAGE].measure, found[MESSAGE].webmail, page))
    if CONCURRENCY in found:
        browsers = [signed_in(port, person) for _ in range(sessions)]
        load = run_loops([lambda b=b: b.inbox() for b in browsers], 3.0, seconds)
        result.append(Comparison(found[CONCURRENCY].measure, found[CONCURRENCY].webmail, load))
    return result


def markdown(comparisons: list[Comparison]) -> list[str]:
    if not comparisons:
        return []
    lines = ["### Roundcube beside the webmail", ""]
    lines += ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    return [*lines, *("| " + " | ".join(c.cells()) + " |" for c in comparisons), ""]
