"""Django inside the Radicale process, for the plugins (Radicale imports them by name)."""

import os

import django
from django.db import close_old_connections, connections

_ready = False


def setup_django() -> None:
    global _ready
    if not _ready:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "convergence.settings")
        django.setup()
        _ready = True


class request_database:
    """Radicale serves each request in a new thread: open the ORM's connection late and close
    it before the thread ends, or PostgreSQL collects one idle connection per request."""

    def __enter__(self):
        close_old_connections()

    def __exit__(self, *exc_info):
        connections.close_all()
