"""Loaded by pytest before Django (`-p tests.environment`): private ports and folders per run."""

import os
import socket
import tempfile
from urllib.parse import urlparse, urlunparse


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _test_redis_url() -> str:
    # Never the application's Redis database: tests flush theirs.
    url = urlparse(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    return urlunparse(url._replace(path="/11"))


VAR_DIR = tempfile.mkdtemp(prefix="convergence-test-")
os.chmod(VAR_DIR, 0o755)  # noqa: S103  # Dovecot's unprivileged users must reach the mail and config below

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
