"""Django inside the Radicale process, for the plugins (Radicale imports them by name)."""

import os
import threading

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


# Radicale runs the auth plugin, then the rights plugin, in the request's own thread.
_request = threading.local()


def signed_in(username: str, web_app: bool) -> None:
    """Set by the auth plugin for each request: who signed in, and whether with the web app's
    master login."""
    _request.username = username
    _request.web_app = web_app


def signed_in_user() -> str:
    """Who signed in: Radicale's map sharing (dav/radicale_sharing.py) hands the plugins the
    owner of a shared calendar as its user, the rights plugin still answers for this one."""
    return getattr(_request, "username", "")


def is_web_app() -> bool:
    return getattr(_request, "web_app", False)
