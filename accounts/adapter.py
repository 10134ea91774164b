"""allauth adapter: academic accounts are provisioned by the académie, never self-registered."""

from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import ValidationError

from accounts import lockout
from accounts.account_mail import in_language_of


class AcademicAccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        return False

    def pre_login(self, request, user, **kwargs):
        # allauth only checks is_active; a locked or suspended account must stop here too.
        if not user.can_log_in:
            return self.respond_user_inactive(request, user)
        return super().pre_login(request, user, **kwargs)

    # Growing delays and the lock: accounts/lockout.py (allauth's own limit is off).
    def pre_authenticate(self, request, **credentials):
        wait = lockout.seconds_to_wait(lockout.subject_for(_typed_login(credentials)), request)
        if wait:
            lockout.mark_waiting(request, wait)
            raise ValidationError(lockout.wait_message(wait))
        super().pre_authenticate(request, **credentials)

    def authentication_failed(self, request, **credentials):
        lockout.register_failure(lockout.subject_for(_typed_login(credentials)), request=request)

    def post_login(self, request, user, **kwargs):
        # Read before the success resets them: a new device right after a failure streak
        # is worth a notice (accounts/devices.py).
        request.failures_before_sign_in = lockout.failure_count(user)
        lockout.register_success(user, request=request)
        # The request still speaks the browser's language; what is said from here on (the
        # «connexion réussie» message, notices) is for the person, in theirs.
        with in_language_of(user):
            return super().post_login(request, user, **kwargs)


def display_name(user) -> str:
    """How allauth names the person («Connexion avec Camille Martin réussie.»)."""
    return user.get_full_name() or user.username


def _typed_login(credentials) -> str:
    return credentials.get("email") or credentials.get("username") or ""
