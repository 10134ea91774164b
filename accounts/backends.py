"""Only accounts whose status is active may authenticate (web; Dovecot checks the same column)."""

from allauth.account.auth_backends import AuthenticationBackend

from accounts.models import User


class AcademicAuthenticationBackend(AuthenticationBackend):
    def user_can_authenticate(self, user) -> bool:
        return super().user_can_authenticate(user) and user.can_log_in

    def get_user(self, user_id):
        """The session's user with their preferences, in one query (the preferences
        middleware reads them on every page)."""
        try:
            user = User._default_manager.select_related("preferences").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
