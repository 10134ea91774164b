"""Child processes: stopping one and everything it started, politely first; a Celery worker
that tests and the bench start, stop and kill as production would see it."""

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from django.conf import settings

from devstack.loopback import free_port, listening

_started: set[subprocess.Popen] = set()  # children of spawn() not stopped yet
_started_lock = threading.RLock()  # the SIGTERM handler may interrupt its holder


def spawn(argv: list[str], **kwargs) -> subprocess.Popen:
    """``subprocess.Popen`` in a process group of its own, remembered until
    stop_process_group ends it: a SIGTERM to this process then stops it too
    (stop_children_on_sigterm)."""
    process = subprocess.Popen(argv, start_new_session=True, **kwargs)
    with _started_lock:
        _started.add(process)
    return process


def stop_children_on_sigterm(raise_as: type[BaseException] = SystemExit) -> None:
    """On SIGTERM (a CI's timeout, ``kill``), stop every child started with spawn (Dovecot,
    the worker and its beat, Radicale, spamd, a private Redis), then raise ``raise_as`` so
    that ``finally`` blocks and fixtures' teardowns run: Python's default for SIGTERM ends
    the process at once, leaving them all orphaned. pytest wants KeyboardInterrupt (a
    SystemExit in a test is just a failure, and the run goes on)."""

    def stop_then_raise(signum, frame):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second one must not cut this short
        with _started_lock:
            children = list(_started)
        for process in children:
            stop_process_group(process, timeout=5)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        raise raise_as(128 + signum) if raise_as is SystemExit else raise_as()

    if threading.current_thread() is threading.main_thread():  # where signals are handled
        signal.signal(signal.SIGTERM, stop_then_raise)


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
    with _started_lock:
        _started.discard(process)
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
    """`celery worker -B` in a subprocess; it can be stopped or killed. ``env`` is added to
    this process's environment (e.g. the DATABASE_URL of a test database). ``beat=False``: the
    worker alone, as production runs it, beside a CeleryBeat that can be killed by itself.
    ``pool``: threads by default (quick to start and stop); "prefork", production's, where
    the tasks' own CPU matters: threads share one interpreter lock, and a thread back from
    the database or a socket waits for it behind one that is parsing."""

    READY = b" ready."  # in its log once it takes tasks

    def __init__(self, log_path: Path, env: dict[str, str] | None = None, concurrency: int = 2,
                 beat: bool = True, pool: str = "threads"):  # fmt: skip
        self.log_path = log_path
        self.env = env or {}
        self.concurrency = concurrency
        self.beat = beat
        self.pool = pool
        self.process: subprocess.Popen | None = None

    def _argv(self) -> list[str]:
        schedule = str(Path(settings.VAR_DIR) / "celerybeat-schedule")
        beat = ["-B", "-s", schedule] if self.beat else []
        return [sys.executable, "-m", "celery", "-A", "convergence", "worker", *beat,
                "--pool", self.pool, "--concurrency", str(self.concurrency), "--loglevel", "INFO"]

    def start(self, timeout: float = 60) -> None:
        env = {**os.environ, **self.env}
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        start_offset = self.log_path.stat().st_size
        self.process = spawn(self._argv(), cwd=settings.BASE_DIR, env=env, stdout=self._log,
                             stderr=subprocess.STDOUT)  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with open(self.log_path, "rb") as log:
                log.seek(start_offset)
                if self.READY in log.read():
                    return
            if self.process.poll() is not None:
                raise RuntimeError(f"Celery exited: see {self.log_path}")
            time.sleep(0.2)
        raise RuntimeError(f"Celery not ready after {timeout}s: see {self.log_path}")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        stop_process_group(self.process)  # what is left of its group (the embedded beat)
        self.process = None
        if getattr(self, "_log", None):
            self._log.close()

    def kill(self) -> None:
        self.stop(signal.SIGKILL)


class CeleryBeat(CeleryWorker):
    """`celery beat` alone, as `make run` and production run it, with its schedule file in
    var/: killed, it starts again from what it last wrote there."""

    READY = b"beat: Starting..."

    def _argv(self) -> list[str]:
        return [sys.executable, "-m", "celery", "-A", "convergence", "beat", "--loglevel", "INFO",
                "-s", str(Path(settings.VAR_DIR) / "celerybeat-schedule")]


class RedisServer:
    """A private redis-server without persistence, as a cache and broker that can die (make
    chaos, the broker-loss tests); ``start`` again after ``kill`` serves the same port, empty."""

    def __init__(self, var_dir: Path):
        self.port, self.var_dir, self.process = free_port(), var_dir, None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.process = spawn(
            [binary, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
             "--appendonly", "no", "--dir", str(self.var_dir)],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while not listening("127.0.0.1", self.port):
            if time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        stop_process_group(self.process)  # forgotten by stop_children_on_sigterm
