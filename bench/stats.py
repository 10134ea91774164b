"""Timing: repeated samples (median, p95) and fixed-duration load (requests per second)."""

import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field


def repeat_count(default: int = 30) -> int:
    return max(5, int(os.environ.get("BENCH_REPEAT", default)))


def percentile(samples: list[float], fraction: float) -> float:
    if len(samples) == 1:
        return samples[0]
    return statistics.quantiles(samples, n=100, method="inclusive")[round(fraction * 100) - 1]


@dataclass
class Timings:
    """Wall-clock durations in seconds of one operation repeated."""

    samples: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        return percentile(self.samples, 0.95)


@dataclass
class Throughput:
    """Requests completed by concurrent sessions within a fixed measured window."""

    seconds: float
    latencies: list[float] = field(default_factory=list)
    errors: int = 0

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds

    @property
    def median(self) -> float:
        return statistics.median(self.latencies) if self.latencies else float("nan")

    @property
    def p95(self) -> float:
        return percentile(self.latencies, 0.95) if self.latencies else float("nan")


def measure(
    action: Callable[[int], object],
    *,
    repeat: int,
    warmup: int = 2,
    before: Callable[[int], object] | None = None,
    after: Callable[[int], object] | None = None,
    budget: float = 120.0,
) -> Timings:
    """Time ``action(i)`` ``repeat`` times after ``warmup`` untimed runs; ``before`` and
    ``after`` run outside the timed region. Stops early (keeping at least 5 samples) when
    the whole measure exceeds ``budget`` seconds, so a slow page cannot stall the run."""
    timings = Timings()
    started = time.monotonic()
    for index in range(warmup + repeat):
        if before:
            before(index)
        begin = time.perf_counter()
        action(index)
        elapsed = time.perf_counter() - begin
        if after:
            after(index)
        if index >= warmup:
            timings.samples.append(elapsed)
            if len(timings.samples) >= 5 and time.monotonic() - started > budget:
                break
    return timings
