"""Child processes: stopping one and everything it started, politely first; a Celery worker
that tests and the bench start, stop and kill as production would see it."""

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def stop_process_group(process: subprocess.Popen | None, timeout: float = 10) -> None:
    """SIGTERM to the child's process group, SIGKILL if some of it is still there after
    ``timeout``. Also when the child itself already died: what it started (Celery's embedded
    beat, say) would otherwise live on as an orphan."""
    if process is None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        process.poll()
        return  # the whole group is gone
    deadline = time.monotonic() + timeout
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout)
    while _group_alive(process.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if _group_alive(process.pid):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


class CeleryWorker:
    """`celery worker -B` in a subprocess, as in production; it can be stopped or killed.
    ``env`` is added to this process's environment (e.g. the DATABASE_URL of a test database)."""

    def __init__(self, log_path: Path, env: dict[str, str] | None = None, concurrency: int = 2):
        self.log_path = log_path
        self.env = env or {}
        self.concurrency = concurrency
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> None:
        env = {**os.environ, **self.env}
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        start_offset = self.log_path.stat().st_size
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "convergence", "worker", "-B",
             "--pool", "threads", "--concurrency", str(self.concurrency), "--loglevel", "INFO",
             "-s", str(Path(settings.VAR_DIR) / "celerybeat-schedule")],
            cwd=settings.BASE_DIR, env=env, stdout=self._log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with open(self.log_path, "rb") as log:
                log.seek(start_offset)
                if b" ready." in log.read():
                    return
            if self.process.poll() is not None:
                raise RuntimeError(f"Celery worker exited: see {self.log_path}")
            time.sleep(0.2)
        raise RuntimeError(f"Celery worker not ready after {timeout}s: see {self.log_path}")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None
        if getattr(self, "_log", None):
            self._log.close()

    def kill(self) -> None:
        self.stop(signal.SIGKILL)
