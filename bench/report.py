"""Results as a table on stdout and as docs/benchmarks.md."""

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.load import LoadTimes
from bench.machine import Machine
from bench.stats import Throughput, Timings

Measured = Timings | Throughput
HEADER = ("measure", "webmail median / p95", "floor median / p95", "ratio", "target", "met?")


@dataclass(frozen=True)
class Target:
    text: str
    check: Callable[[Measured, Measured], bool] | None = None


# The targets, defined at 50,000 messages (shown at other sizes for reference).
WARM = Target("≤ 0.5× floor", lambda w, f: w.median <= 0.5 * f.median)
FIRST = Target("≤ 1.5× floor", lambda w, f: w.median <= 1.5 * f.median)
MESSAGE = Target("≤ 25 ms median", lambda w, f: w.median <= 0.025)
SEARCH = Target("≤ 150 ms median", lambda w, f: w.median <= 0.150)
NONE = Target("—")
CONCURRENCY = Target(
    "≥ 3× floor req/s, p95 < 300 ms",
    lambda w, f: w.rate >= 3 * f.rate and w.p95 < 0.300 and not w.errors,
)


@dataclass(frozen=True)
class Row:
    measure: str
    webmail: Measured
    floor: Measured
    target: Target

    @property
    def ratio(self) -> float:
        if isinstance(self.webmail, Throughput):
            return self.webmail.rate / self.floor.rate if self.floor.rate else math.inf
        return self.webmail.median / self.floor.median

    @property
    def met(self) -> str:
        if self.target.check is None:
            return "—"
        return "yes" if self.target.check(self.webmail, self.floor) else "**no**"

    def cells(self) -> tuple[str, ...]:
        return (
            self.measure,
            cell(self.webmail),
            cell(self.floor),
            f"{self.ratio:.2f}×",
            self.target.text,
            self.met,
        )


@dataclass
class SizeResult:
    size: int
    total_messages: int
    load: LoadTimes
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    beside: list[str] = field(default_factory=list)  # Roundcube's table (bench/beside.py)

    @property
    def load_note(self) -> str:
        return (
            f"Loaded {self.load.messages:,} messages for this size in "
            f"{self.load.total_seconds:.0f} s ({self.load.write_seconds:.0f} s of it building "
            f"and writing files, overlapping the indexing; up to {self.load.workers} "
            "`doveadm index` in parallel)."
        )


def cell(value: Measured) -> str:
    if isinstance(value, Throughput):
        errors = f", {value.errors} errors" if value.errors else ""
        return f"{value.rate:.1f} req/s, p95 {value.p95 * 1000:.0f} ms{errors}"
    return f"{value.median * 1000:.1f} / {value.p95 * 1000:.1f} ms"


def text_table(result: SizeResult) -> str:
    rows = [HEADER, *(row.cells() for row in result.rows)]
    widths = [max(len(row[i].replace("**", "")) for row in rows) for i in range(len(HEADER))]
    lines = [f"== {result.size:,} messages in the INBOX ({result.total_messages:,} in all) =="]
    for row in rows:
        cells = (
            text.replace("**", "").ljust(width) for text, width in zip(row, widths, strict=True)
        )
        lines.append("  ".join(cells).rstrip())
    return "\n".join([*lines, *result.beside, result.load_note, *result.notes])


def _markdown_table(result: SizeResult) -> list[str]:
    lines = [f"## {result.size:,} messages in the INBOX ({result.total_messages:,} in all)", ""]
    lines += ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(row.cells()) + " |" for row in result.rows]
    notes = [result.load_note, *result.notes]
    return [*lines, "", *result.beside, *(f"- {note}" for note in notes), ""]


# Written by hand from profiles, not measured by the run: copied after the figures.
ANALYSIS = Path(__file__).with_name("where_the_time_goes.md")


def write_markdown(
    path: Path, machine: Machine, results: list[SizeResult], method: list[str], seconds: float,
    sections: list[str] = (),
) -> None:
    """The whole report; ``seconds``: how long the run took up to here; ``sections``:
    markdown lines of other measures (delivery), after the webmail's."""
    loaded = sum(r.load.messages for r in results)
    loading = sum(r.load.total_seconds for r in results)
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`bench/run.py`); run it again rather than editing by hand.",
        "Webmail times are whole Django requests; the floor is the same IMAP work done raw",
        "with imapclient in the same run. Times in milliseconds, median / 95th percentile.",
        "The targets are those of issue 3, defined at 50,000 messages; at smaller sizes",
        "they are shown for reference only. Under each size, Debian's Roundcube served by the",
        "run on the same Dovecot and mailbox, timed over loopback HTTP (#16; see the method).",
        "",
        *(f"- {line}" for line in machine.lines()),
        f"- Load: {loaded:,} messages written and indexed by Dovecot in {loading:.0f} s; "
        f"the whole run took {seconds / 60:.1f} min",
        "",
    ]
    for result in results:
        lines += _markdown_table(result)
    lines += list(sections)
    lines += ["## Method", "", *(f"- {line}" for line in method), ""]
    path.write_text("\n".join(lines) + "\n" + ANALYSIS.read_text())
