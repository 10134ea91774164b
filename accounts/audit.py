"""The account audit log: every sign-in, lock, recovery and support action, append-only."""

from accounts.models import AccountEvent

Kind = AccountEvent.Kind


def client_ip(request) -> str | None:
    # Behind the académie's reverse proxy REMOTE_ADDR is the proxy; it sets X-Real-IP.
    return request.META.get("HTTP_X_REAL_IP") or request.META.get("REMOTE_ADDR") or None


def record(kind, *, user=None, request=None, ip=None, actor=None, reason="", login="",
           **details):
    """Append one event; the request (when there is one) gives the IP and the device."""
    ip = client_ip(request) if request is not None else ip
    agent = request.META.get("HTTP_USER_AGENT", "")[:300] if request is not None else ""
    return AccountEvent.objects.create(
        kind=kind, user=user, actor=actor, reason=reason, login=login[:254],
        ip=ip, user_agent=agent, details=details,
    )
