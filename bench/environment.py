"""Private ports, folders and database for one bench run, set before Django is imported."""

import atexit
import os
import shutil
import socket
import subprocess
import tempfile
import time
from urllib.parse import urlparse, urlunparse


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _listening(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def _bench_redis_url() -> str:
    """Database 12 of the configured Redis (never the app's 0 nor the tests' 11), or a
    private redis-server without persistence when none is listening."""
    url = urlparse(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    if not _listening(url.hostname or "127.0.0.1", url.port or 6379):
        port = free_port()
        server = subprocess.Popen(
            [shutil.which("redis-server") or "/usr/bin/redis-server", "--bind", "127.0.0.1"]
            + ["--port", str(port), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        atexit.register(server.terminate)
        while not _listening("127.0.0.1", port):
            time.sleep(0.05)
        url = urlparse(f"redis://127.0.0.1:{port}/0")
    return urlunparse(url._replace(path="/12"))


def prepare() -> str:
    """Point Django at a fresh temporary var/ directory and return it."""
    var_dir = tempfile.mkdtemp(prefix="convergence-bench-")
    os.chmod(var_dir, 0o755)  # noqa: S103 - Dovecot's unprivileged users read below it
    database = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{var_dir}/bench.sqlite3"
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "convergence.settings",
            "CONVERGENCE_VAR_DIR": var_dir,
            "DATABASE_URL": database,
            "IMAP_PORT": str(free_port()),
            "GATEWAY_INBOUND_PORT": str(free_port()),
            "GATEWAY_SUBMISSION_PORT": str(free_port()),
            "REDIS_URL": _bench_redis_url(),
            "CACHE_KEY_PREFIX": f"convergence-bench-{os.getpid()}",
            "LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "WARNING"),
            "MAIL_PAGE_SIZE": "50",  # the raw floors fetch 50 envelopes too
        }
    )
    for name in ("DOVECOT_DIR", "LMTP_SOCKET", "SPOOL_DIR", "DJANGO_DEBUG", "IMAP_HOST"):
        os.environ.pop(name, None)
    return var_dir
