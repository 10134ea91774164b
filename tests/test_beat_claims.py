"""Two beats (two nodes) send each periodic job once per period, and either can stop."""

import os
import re
import signal
import subprocess
import sys
import threading
import uuid
from datetime import datetime
from pathlib import Path

import pytest
from django.conf import settings

from convergence.beat import claim_run
from devstack.loopback import free_port
from devstack.processes import stop_process_group
from tests.conftest import wait_for
from tests.servers import database_url

STARTING = re.compile(r"^\[([\d-]+ [\d:,]+): INFO/\w+\] beat: Starting\.\.\.", re.MULTILINE)
SENT = re.compile(
    r"^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}): INFO/\w+\] Scheduler: Sending due task (\S+)",
    re.MULTILINE,
)


def test_of_many_contenders_at_once_one_claims_the_run():
    name = f"sweep-{uuid.uuid4().hex}"
    start, results = threading.Barrier(8), []

    def contend(number: int) -> None:
        start.wait()
        results.append(claim_run(name, 60, holder=f"beat-{number}"))

    threads = [threading.Thread(target=contend, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 7 + [True]


def test_the_claim_lapses_within_the_period_so_another_beat_takes_over():
    name = f"sweep-{uuid.uuid4().hex}"
    assert claim_run(name, 0.5, holder="beat-a")
    assert not claim_run(name, 0.5, holder="beat-b")
    wait_for(lambda: claim_run(name, 0.5, holder="beat-b"), timeout=5, interval=0.05)


def test_without_redis_each_beat_sends_rather_than_none(settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    name = f"sweep-{uuid.uuid4().hex}"
    assert claim_run(name, 60, holder="beat-a") and claim_run(name, 60, holder="beat-b")


def _beat(log: Path, schedule: Path, environment: dict) -> subprocess.Popen:
    with log.open("ab") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "convergence", "beat", "--loglevel", "INFO",
             "-s", str(schedule)],
            cwd=settings.BASE_DIR, env=environment, stdout=output, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip


def _sends(*logs: Path) -> dict[str, list[datetime]]:
    sends: dict[str, list[datetime]] = {}
    for log in logs:
        for moment, name in SENT.findall(log.read_text(errors="replace")):
            sends.setdefault(name, []).append(datetime.strptime(moment, "%Y-%m-%d %H:%M:%S,%f"))
    return {name: sorted(times) for name, times in sends.items()}


@pytest.mark.django_db
def test_two_real_beats_send_each_job_once_per_period(tmp_path):
    environment = {
        **os.environ,
        "DATABASE_URL": database_url(),
        # Their own claims and queue: the suite's worker (and its beat) stay out of it.
        "CACHE_KEY_PREFIX": f"convergence-test-beats-{uuid.uuid4().hex}",
        "CELERY_QUEUE": f"convergence-test-beats-{uuid.uuid4().hex}",
    }
    environment.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    logs = [tmp_path / "beat-a.log", tmp_path / "beat-b.log"]
    beats = [_beat(logs[0], tmp_path / "a-schedule", environment)]
    try:
        # The second starts once the first is sending, out of step with it.
        wait_for(lambda: _sends(logs[0]).get("send-due-messages"), timeout=60)
        beats.append(_beat(logs[1], tmp_path / "b-schedule", environment))
        skipped = re.compile(r"beat: requeue-stalled-spool was sent by another beat")
        wait_for(lambda: any(skipped.search(log.read_text(errors="replace")) for log in logs)
                 and len(_sends(*logs).get("requeue-stalled-spool", [])) >= 5,
                 timeout=90)  # fmt: skip
    finally:
        for beat in beats:
            stop_process_group(beat)
    periods = {"requeue-stalled-spool": 2.0, "send-due-messages": 1.0}  # tests/environment.py
    for name, period in periods.items():
        times = _sends(*logs)[name]
        gaps = [(b - a).total_seconds() for a, b in zip(times, times[1:], strict=False)]
        # A claim lasts 0.9 period; half a period leaves room for a loaded machine's logging.
        assert min(gaps) >= period / 2, (name, gaps)


@pytest.mark.django_db
def test_a_beat_killed_and_started_again_sends_no_run_twice(tmp_path):
    """Beat writes its schedule file only every few minutes: killed (SIGKILL) just after
    sending a job, it starts again believing that run still due. The run's claim keeps it
    from being sent twice; the next period's run, and the short sweeps, are sent as usual."""
    period = 30.0
    environment = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CACHE_KEY_PREFIX": f"convergence-test-beats-{uuid.uuid4().hex}",
        "CELERY_QUEUE": f"convergence-test-beats-{uuid.uuid4().hex}",
        "DIGEST_SWEEP_SECONDS": str(int(period)),
    }
    environment.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    log, schedule = tmp_path / "beat.log", tmp_path / "schedule"
    beat = _beat(log, schedule, environment)
    try:
        first = wait_for(lambda: _sends(log).get("send-daily-digests"), timeout=period + 60)[0]
        os.killpg(beat.pid, signal.SIGKILL)  # nothing written on the way out
        beat.wait()
        beat = _beat(log, schedule, environment)
        wait_for(lambda: len(_sends(log).get("send-daily-digests", [])) >= 2,
                 timeout=period + 90)  # fmt: skip
    finally:
        stop_process_group(beat)
    started = [datetime.strptime(m, "%Y-%m-%d %H:%M:%S,%f") for m in STARTING.findall(
        log.read_text(errors="replace"))]  # fmt: skip
    # Started again within half a period, a run sent twice would show as too short a gap.
    assert (started[1] - first).total_seconds() < period / 2, "beat restarted too late to tell"
    digests = _sends(log)["send-daily-digests"]
    assert (digests[1] - digests[0]).total_seconds() >= period / 2, digests
    assert any(t > started[1] for t in _sends(log)["requeue-stalled-spool"]), "sweeps stopped"
