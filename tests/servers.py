"""Real servers for the integration tests: Dovecot, the SMTP gateway, a Celery worker."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

from mail.dovecot import DovecotServer, configured_server

BASE_DIR = Path(settings.BASE_DIR)


def database_url() -> str:
    """The URL of the test database pytest-django created, for processes started by tests."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    return f"postgres://{user}{password}@{host}:{db.get('PORT') or 5432}/{db['NAME']}"


def test_dovecot() -> DovecotServer:
    return configured_server(connection.settings_dict)


class Worker:
    """`celery worker -B` in a subprocess, as in production; it can be stopped or killed."""

    def __init__(self, log_path: Path):
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> None:
        env = {**os.environ, "DATABASE_URL": database_url()}
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        start_offset = self.log_path.stat().st_size
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "convergence",
                "worker",
                "-B",
                "--pool",
                "threads",
                "--concurrency",
                "2",
                "--loglevel",
                "INFO",
                "-s",
                str(Path(settings.VAR_DIR) / "celerybeat-schedule"),
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
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
