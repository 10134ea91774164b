"""Loaded by pytest before Django (`-p tests.environment`): private ports and folders per run."""

import atexit
import os
import shutil
import tempfile
from pathlib import Path

from devstack.loopback import free_port, redis_database
from devstack.tls import development_environment

VAR_DIR = tempfile.mkdtemp(prefix="convergence-test-")
# Under pytest-xdist every worker process has its own servers, folders and Redis database:
# its Celery worker must not take another worker's tasks.
WORKER_INDEX = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
REDIS_DB = int(os.environ.get("TEST_REDIS_DB", "11")) + WORKER_INDEX
if REDIS_DB > 15:
    raise RuntimeError("TEST_REDIS_DB plus the number of xdist workers goes past Redis database 15")
# Dovecot's unprivileged users must reach the mail and configuration below.
os.chmod(VAR_DIR, 0o755)  # noqa: S103
atexit.register(shutil.rmtree, VAR_DIR, ignore_errors=True)

os.environ.update(
    {
        "CONVERGENCE_VAR_DIR": VAR_DIR,
        "IMAP_PORT": str(free_port()),
        "GATEWAY_INBOUND_PORT": str(free_port()),
        "GATEWAY_SUBMISSION_PORT": str(free_port()),
        # Never the app's database: tests flush theirs. TEST_REDIS_DB lets two checkouts
        # run their suites side by side.
        "REDIS_URL": redis_database(REDIS_DB),
        "CACHE_KEY_PREFIX": f"convergence-test-{os.getpid()}",
        # The tests' deliberate wrong passwords come from 127.0.0.1, like the webmail's own
        # logins: Dovecot's growing per-IP delay would make later logins time out.
        "DOVECOT_AUTH_PENALTY": "false",
        "SPOOL_SWEEP_SECONDS": "2",
        "SPOOL_STALLED_SECONDS": "3",
        "DELIVERY_CLAIM_SECONDS": "5",
        "SCHEDULED_SEND_SWEEP_SECONDS": "1",
        # No hold for the right to disconnect unless a test sets working hours: the suite
        # runs at any hour.
        "WORKING_HOURS": "",
        "GATEWAY_MAX_MESSAGE_SIZE": str(512 * 1024),
        "SPAMD_PORT": str(free_port()),
        "RADICALE_PORT": str(free_port()),
        # The worker writes invitations' copies into the test Radicale's folder, as under
        # `make run` (tests of the HTTP way set it empty).
        "RADICALE_COLLECTIONS": str(Path(VAR_DIR) / "radicale" / "collections"),
        # A Bayes filter counts once it has learned this many spams and hams (200 by default):
        # one of each lets a test train it through the buttons and see the score move.
        "SPAM_BAYES_MIN_LEARNED": "1",
        "DELIVERY_MAX_ATTEMPTS": "5",
        # Argon2id at 8 MiB and one pass (Dovecot reads the cost from each hash): the demo
        # académie's people get their passwords in milliseconds instead of 0.1-0.9 s each.
        "PASSWORD_ARGON2_TIME_COST": "1",
        "PASSWORD_ARGON2_MEMORY_KIB": "8192",  # retries after 1, 2, 4, 8 s: dead in ~15 s
        # Playwright's sync API runs an event loop in the test thread; the ORM calls are ours.
        "DJANGO_ALLOW_ASYNC_UNSAFE": "true",
        # STARTTLS and the implicit-TLS ports with a self-signed certificate, as `make run`.
        **development_environment(
            Path(VAR_DIR), submissions_port=free_port(), imaps_port=free_port()
        ),
    }
)
