"""allauth adapter: academic accounts are provisioned by the académie, never self-registered."""

from allauth.account.adapter import DefaultAccountAdapter


class AcademicAccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        return False

    def pre_login(self, request, user, **kwargs):
        # allauth only checks is_active; a locked or suspended account must stop here too.
        if not user.can_log_in:
            return self.respond_user_inactive(request, user)
        return super().pre_login(request, user, **kwargs)
