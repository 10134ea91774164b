"""Loaded by pytest before Django (`-p tests.environment`): private ports and folders per run."""

import atexit
import os
import shutil
import socket
import subprocess
import tempfile
import time
from urllib.parse import urlparse, urlunparse


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _listening(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def _test_redis_url() -> str:
    """Database 11 of the configured Redis (never the app's: tests flush theirs), or a private
    redis-server when none is listening."""
    url = urlparse(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    if not _listening(url.hostname or "127.0.0.1", url.port or 6379):
        port = _free_port()
        server = subprocess.Popen(
            [
                shutil.which("redis-server") or "/usr/bin/redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(port),
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        atexit.register(server.terminate)
        while not _listening("127.0.0.1", port):
            time.sleep(0.05)
        url = urlparse(f"redis://127.0.0.1:{port}/0")
    return urlunparse(url._replace(path="/11"))


VAR_DIR = tempfile.mkdtemp(prefix="convergence-test-")
os.chmod(VAR_DIR, 0o755)  # noqa: S103
atexit.register(
    shutil.rmtree, VAR_DIR, ignore_errors=True
)  # Dovecot's unprivileged users must reach the mail and config below

os.environ.update(
    {
        "CONVERGENCE_VAR_DIR": VAR_DIR,
        "IMAP_PORT": str(_free_port()),
        "GATEWAY_INBOUND_PORT": str(_free_port()),
        "GATEWAY_SUBMISSION_PORT": str(_free_port()),
        "REDIS_URL": _test_redis_url(),
        "CACHE_KEY_PREFIX": f"convergence-test-{os.getpid()}",
        "SPOOL_SWEEP_SECONDS": "2",
        "SPOOL_STALLED_SECONDS": "3",
        "DELIVERY_CLAIM_SECONDS": "5",
        "GATEWAY_MAX_MESSAGE_SIZE": str(512 * 1024),
        # Playwright's sync API runs an event loop in the test thread; the ORM calls are ours.
        "DJANGO_ALLOW_ASYNC_UNSAFE": "true",
    }
)
