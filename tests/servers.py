"""Real servers for the integration tests: Dovecot, the SMTP gateway, a Celery worker."""

from pathlib import Path

from django.db import connection

from devstack.dovecot import DovecotServer, configured_server
from devstack.processes import CeleryWorker


def database_url() -> str:
    """The URL of the test database pytest-django created, for processes started by tests."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    return f"postgres://{user}{password}@{host}:{db.get('PORT') or 5432}/{db['NAME']}"


def test_dovecot(policy_url: str = "") -> DovecotServer:
    return configured_server(connection.settings_dict, policy_url=policy_url)


class Worker(CeleryWorker):
    """The test suite's worker, on the test database pytest-django created."""

    def __init__(self, log_path: Path):
        super().__init__(log_path)

    def start(self, timeout: float = 60) -> None:
        self.env["DATABASE_URL"] = database_url()  # known only once the test database exists
        super().start(timeout)
