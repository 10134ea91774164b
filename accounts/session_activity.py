"""The «last seen» of each signed-in session (allauth.usersessions' rows, shown on the
sessions page), written at most once a minute per web process.

allauth's own middleware rewrites the row on every request: a transaction, two SELECTs and an
UPDATE, a third of the SQL of an inbox page and its only write. A change of address or
browser is still written at once (allauth then sends ``session_client_changed``), so a
stolen session cookie used from elsewhere shows on the sessions page without delay.
"""

from time import monotonic

from allauth.usersessions.internal import usersessionkit
from django.conf import settings

from accounts.mfa_policy import client_ip

# Sessions remembered per process; past this the memory starts again (each is written once).
_MAX_REMEMBERED = 10_000
_written: dict[str, tuple[float, str | None, str]] = {}


def _due(request) -> bool:
    key = request.session.session_key
    if key is None:
        return False  # no session yet: nobody is signed in
    now = monotonic()
    client = (client_ip(request), request.META.get("HTTP_USER_AGENT", ""))
    last = _written.get(key)
    if last and last[1:] == client and now - last[0] < settings.SESSION_ACTIVITY_SECONDS:
        return False
    _remember(key, now, client)
    return True


def _remember(key: str, now: float, client: tuple[str | None, str]) -> None:
    if len(_written) >= _MAX_REMEMBERED:
        _written.clear()
    _written[key] = (now, *client)


def written_at_sign_in(request) -> None:
    """The sign-in has just written the session's row: the next page need not (the first
    page after signing in did, a transaction of a SELECT and an UPDATE)."""
    client = (client_ip(request), request.META.get("HTTP_USER_AGENT", ""))
    _remember(request.session.session_key, monotonic(), client)


class SessionActivityMiddleware:
    """In place of allauth.usersessions.middleware.UserSessionsMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if user is not None and user.is_authenticated and session is not None and _due(request):
            usersessionkit.track_activity(request, user=user, session=session)
        return self.get_response(request)
