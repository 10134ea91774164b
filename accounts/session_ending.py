"""Ending every session of an account (after recovery, a new password, a support action)."""

from allauth.usersessions.models import UserSession


def end_all_sessions(user, *, keep_session_key: str | None = None) -> int:
    """allauth records a UserSession for every sign-in; ending it deletes the Django session.

    The middleware (accounts/password_change.py) also signs out any session whose account is
    no longer active, in case a session escaped this list.
    """
    ended = 0
    for user_session in UserSession.objects.filter(user_id=user.pk):
        if keep_session_key and user_session.session_key == keep_session_key:
            continue
        user_session.end()
        ended += 1
    return ended
