"""Only accounts whose status is active may authenticate (web; Dovecot checks the same column)."""

from allauth.account.auth_backends import AuthenticationBackend


class AcademicAuthenticationBackend(AuthenticationBackend):
    def user_can_authenticate(self, user) -> bool:
        return super().user_can_authenticate(user) and user.can_log_in
