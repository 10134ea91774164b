"""A temporary password must be replaced before anything else; a session whose account is no
longer active (locked, suspended, disabled since it began) is signed out."""

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse


class AccountStateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if not user.can_log_in:
                logout(request)
                return redirect("account_login")
            if user.must_change_password and not self._exempt(request.path):
                return redirect("accounts:must_change_password")
        return self.get_response(request)

    @staticmethod
    def _exempt(path: str) -> bool:
        allowed = (
            reverse("accounts:must_change_password"),
            reverse("account_logout"),
            reverse("accounts:language"),
        )
        return path in allowed or path.startswith("/" + settings.STATIC_URL.lstrip("/"))
