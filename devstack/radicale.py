"""Run Radicale on loopback for `make run` and the tests (production runs its own).

The configuration is rendered into RADICALE_DIR/config; collections are stored under
RADICALE_DIR/collections. The five plugins in dav/ run inside the Radicale process, so it gets
the same DJANGO_SETTINGS_MODULE and DATABASE_URL as the web app."""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings

from devstack.loopback import listening
from devstack.processes import spawn, stop_process_group

CONFIG = """\
# Written by devstack/radicale.py; edits are overwritten at the next start.
[server]
hosts = {host}:{port}
max_connections = 20
timeout = 30

[auth]
type = dav.radicale_auth
# dav.radicale_auth keeps its own short cache of successful checks.
delay = 0

[rights]
type = dav.radicale_rights

# dav.radicale_storage: Radicale's own storage, with an index of each collection's UIDs.
[storage]
type = dav.radicale_storage
filesystem_folder = {collections}

[hook]
type = dav.radicale_hook

# dav.radicale_sharing: the calendars shared with a person, listed in their home for phones.
[sharing]
type = dav.radicale_sharing
collection_by_map = True

[web]
type = none

[logging]
level = {level}
mask_passwords = True
"""


def render_config(directory: Path, *, host: str, port: int, level: str = "warning") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "config"
    path.write_text(CONFIG.format(host=host, port=port, level=level,
                                  collections=directory / "collections"))  # fmt: skip
    return path


class RadicaleServer:
    """`python -m radicale` in its own process group, logging to RADICALE_DIR/radicale.log.
    ``env`` is added to the environment (the tests' DATABASE_URL, known only at run time)."""

    def __init__(self, *, port: int | None = None, env: dict[str, str] | None = None):
        self.host = settings.RADICALE_HOST
        self.port = port or settings.RADICALE_PORT
        self.directory = Path(settings.RADICALE_DIR)
        self.env = env or {}
        self.process: subprocess.Popen | None = None

    @property
    def log_path(self) -> Path:
        return self.directory / "radicale.log"

    def start(self, *, timeout: float = 30) -> None:
        config = render_config(self.directory, host=self.host, port=self.port)
        # DATABASE_POOL: a new thread for each request, the plugins' PostgreSQL connections
        # from a pool (convergence/settings/base.py).
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "convergence.settings",
               "DATABASE_POOL": "true", **self.env}  # fmt: skip
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        with open(self.log_path, "ab") as log:
            self.process = spawn(
                [sys.executable, "-m", "radicale", "--config", str(config)],
                cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        deadline = time.monotonic() + timeout
        while not listening(self.host, self.port):
            if self.process.poll() is not None:
                tail = self.log_path.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"Radicale exited with {self.process.returncode}: {tail}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"Radicale did not listen on {self.host}:{self.port}")
            time.sleep(0.1)

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        stop_process_group(self.process)
        self.process = None

    def wipe(self) -> None:
        """Every collection gone (the tests: each starts from an empty store)."""
        shutil.rmtree(self.directory / "collections" / "collection-root", ignore_errors=True)
