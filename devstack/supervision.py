"""`make run`'s supervisor: children in their own process groups, restarted when they die,
until they die too often in a short while (a crash loop stops the stack; one exit a day
does not)."""

import subprocess
import time
from collections import deque
from collections.abc import Callable

from devstack.processes import stop_process_group


class RestartBudget:
    """At most ``limit`` restarts within ``window`` seconds, each after a growing pause."""

    def __init__(self, limit: int = 5, window: float = 600,
                 clock: Callable[[], float] = time.monotonic):  # fmt: skip
        self.limit, self.window, self.clock = limit, window, clock
        self._restarts: deque[float] = deque()

    def _recent(self) -> int:
        now = self.clock()
        while self._restarts and self._restarts[0] <= now - self.window:
            self._restarts.popleft()
        return len(self._restarts)

    def spend(self) -> float | None:
        """Seconds to wait before the next restart, or None when the budget is spent."""
        recent = self._recent()
        if recent >= self.limit:
            return None
        self._restarts.append(self.clock())
        return float(min(2**recent, 10))


class ChildStopping(Exception):
    """A child exited more often than its restart budget allows."""


class Child:
    """A supervised process in its own process group. ``check`` never blocks: a restart
    waits for its due time while the other children go on being watched."""

    def __init__(self, name: str, argv: list[str], budget: RestartBudget | None = None,
                 clock: Callable[[], float] = time.monotonic):  # fmt: skip
        self.name, self.argv = name, argv
        self.budget = budget or RestartBudget(clock=clock)
        self.clock = clock
        self.process: subprocess.Popen | None = None
        self.restart_at: float | None = None

    def start(self) -> None:
        self.restart_at = None
        self.process = subprocess.Popen(self.argv, start_new_session=True)

    def check(self, say: Callable[[str], object]) -> None:
        if self.restart_at is not None:
            if self.clock() >= self.restart_at:
                self.start()
            return
        if self.process is None or self.process.poll() is None:
            return
        code = self.process.returncode
        stop_process_group(self.process)  # what it started must not outlive it
        pause = self.budget.spend()
        if pause is None:
            raise ChildStopping(f"{self.name} keeps stopping (exit {code})")
        say(f"{self.name} stopped (exit {code}); restarting in {pause:.0f} s")
        self.restart_at = self.clock() + pause

    def stop(self) -> None:
        self.restart_at = None
        stop_process_group(self.process)
