"""Private ports, folders and database for one bench run, set before Django is imported."""

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from devstack.loopback import free_port, redis_database


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
            "RADICALE_PORT": str(free_port()),  # the agenda's store, under var_dir
            "REDIS_URL": redis_database(12),
            "CACHE_KEY_PREFIX": f"convergence-bench-{os.getpid()}",
            "LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "WARNING"),
            "MAIL_PAGE_SIZE": "50",  # the raw floors fetch 50 envelopes too
            "CONVERGENCE_DEVELOPMENT": "true",  # generated secrets, loopback hosts
        }
    )
    for name in ("DOVECOT_DIR", "LMTP_SOCKET", "SPOOL_DIR", "DJANGO_DEBUG", "IMAP_HOST",
                 "RADICALE_DIR", "CALDAV_URL", "IMAP_HOSTS", "LMTP_HOSTS", "DOVECOT_BACKENDS"):
        os.environ.pop(name, None)
    return var_dir


@contextmanager
def alone() -> Iterator[Path]:
    """For a section run by itself (`python -m bench.<section>`): a fresh var/ directory,
    Django set up and migrated, the directory removed afterwards."""
    var_dir = prepare()
    try:
        import django

        django.setup()
        from bench import stack

        stack.migrate()
        yield Path(var_dir)
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
