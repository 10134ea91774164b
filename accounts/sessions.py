"""Signed-in sessions of one person (allauth.usersessions rows), and ending them."""

from allauth.usersessions.models import UserSession

from accounts import audit, devices


def list_sessions(user) -> list[UserSession]:
    sessions = UserSession.objects.purge_and_list(user)
    for session in sessions:
        session.device = devices.describe(session.user_agent)
    return sorted(sessions, key=lambda s: s.last_seen_at, reverse=True)


def access_session(user, session_id: int) -> UserSession | None:
    """One of ``user``'s own live sessions, or None (never someone else's)."""
    session = UserSession.objects.filter(user=user, pk=session_id).first()
    if session is None or session.purge():
        return None
    session.device = devices.describe(session.user_agent)
    return session


def end_session(session: UserSession, *, request=None, actor=None, reason: str = "") -> None:
    """Deletes the session from the store: that browser is signed out at its next request."""
    audit.record(
        audit.Kind.SESSION_ENDED, user=session.user, request=request, actor=actor, reason=reason,
        ended_ip=session.ip, ended_device=session.user_agent[:200],
    )
    session.end()


def end_other_sessions(user, *, current_key: str | None = None, request=None) -> int:
    """Every session but ``current_key`` (all of them without one: after recovery, a new
    password, a support action). The middleware (accounts/password_change.py) also signs
    out any session whose account is no longer active, in case one escaped this list."""
    others = [s for s in UserSession.objects.filter(user=user) if s.session_key != current_key]
    for session in others:
        end_session(session, request=request)
    return len(others)
