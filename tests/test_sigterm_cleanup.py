"""A test run stopped by SIGTERM (a CI's timeout, `kill`) leaves no server behind: Python's
default for SIGTERM ends the process before any fixture's teardown, and Dovecot, the worker,
Radicale and spamd, each in its own process group, lived on as orphans."""

import os
import signal
import subprocess
import sys
import textwrap

from django.conf import settings

from tests.conftest import wait_for

NESTED_TEST = '''
import threading
from pathlib import Path


def test_held_until_stopped(radicale):
    Path({ready!r}).write_text(str(radicale.process.pid))
    threading.Event().wait(600)  # until the SIGTERM
'''


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_pytest_run_stopped_by_sigterm_stops_its_servers(tmp_path):
    ready = tmp_path / "radicale.pid"
    test_file = settings.BASE_DIR / "tests" / f"test_nested_{os.getpid()}.py"
    test_file.write_text(textwrap.dedent(NESTED_TEST.format(ready=str(ready))))
    # Its own SQLite test database and temporary folders (tests/environment.py), not ours.
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CONVERGENCE_VAR_DIR")}
    log = open(tmp_path / "nested.log", "wb")  # noqa: SIM115
    run = subprocess.Popen(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test_file)],
        cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    radicale = None
    try:
        wait_for(lambda: ready.exists() and ready.read_text() or run.poll() is not None, 180)
        assert run.poll() is None, (tmp_path / "nested.log").read_text()[-3000:]
        radicale = int(ready.read_text())
        assert _group_alive(radicale)
        run.send_signal(signal.SIGTERM)  # to pytest alone, as a CI's timeout does
        run.wait(60)
        assert not _group_alive(radicale), "Radicale outlived the run"
    finally:
        test_file.unlink()
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait()
        if radicale and _group_alive(radicale):
            os.killpg(radicale, signal.SIGKILL)
        log.close()
