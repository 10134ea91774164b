"""allauth adapter: academic accounts are provisioned by the académie, never self-registered."""

from allauth.account.adapter import DefaultAccountAdapter


class AcademicAccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        return False
