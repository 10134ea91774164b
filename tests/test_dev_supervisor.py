"""`make run`'s supervisor: a dead child takes what it started with it, restarts are paced and
counted over a sliding window, and the loop never blocks on one child."""

import sys
from pathlib import Path

import pytest

from devstack.supervision import Child, ChildStopping, RestartBudget
from tests.conftest import wait_for


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_restarts_are_counted_over_a_window_not_forever():
    clock = Clock()
    budget = RestartBudget(limit=3, window=600, clock=clock)
    assert [budget.spend() for _ in range(3)] == [1.0, 2.0, 4.0]
    assert budget.spend() is None  # a crash loop stops the stack
    clock.now += 601
    assert budget.spend() == 1.0  # a long day's occasional exits do not add up


def test_a_dead_child_takes_what_it_started_and_comes_back_when_due(tmp_path):
    # Like Celery's embedded beat: a grandchild in the child's process group.
    pid_file = tmp_path / "grandchild.pid"
    script = f"import subprocess, sys; p = subprocess.Popen(['sleep', '300']); " \
             f"open({str(pid_file)!r}, 'w').write(str(p.pid)); sys.exit(3)"  # fmt: skip
    clock = Clock()
    child = Child("worker", [sys.executable, "-c", script], clock=clock)
    said = []
    child.start()
    wait_for(lambda: child.process.poll() is not None and pid_file.exists())
    grandchild = int(pid_file.read_text())
    child.check(said.append)
    assert said == ["worker stopped (exit 3); restarting in 1 s"]
    wait_for(lambda: not _alive(grandchild))
    first = child.process.pid
    child.check(said.append)
    assert child.process.pid == first  # not due yet: nothing waits, nothing restarts
    clock.now += 1
    pid_file.unlink()
    child.check(said.append)
    assert child.process.pid != first
    wait_for(lambda: pid_file.exists())
    child.stop()
    wait_for(lambda: not _alive(int(pid_file.read_text())))


def test_a_child_that_keeps_dying_stops_the_stack():
    clock = Clock()
    child = Child("gateway", [sys.executable, "-c", "raise SystemExit(2)"],
                  budget=RestartBudget(limit=1, clock=clock), clock=clock)  # fmt: skip
    child.start()
    wait_for(lambda: child.process.poll() is not None)
    child.check(lambda _: None)
    clock.now += 10
    child.check(lambda _: None)  # restarted once
    wait_for(lambda: child.process.poll() is not None)
    with pytest.raises(ChildStopping, match="gateway keeps stopping"):
        child.check(lambda _: None)
