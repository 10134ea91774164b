"""Each signed-in person's language and time zone, from their preferences; the lockout's
waits answered as 429."""

import zoneinfo

from django.utils import timezone, translation

from accounts.models import Preferences


class PreferencesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            try:  # loaded with the user by the authentication backend (accounts/backends.py)
                preferences = request.user.preferences
            except Preferences.DoesNotExist:
                preferences = Preferences.of(request.user)
            request.preferences = preferences
            translation.activate(preferences.language)
            request.LANGUAGE_CODE = preferences.language
            try:
                timezone.activate(zoneinfo.ZoneInfo(preferences.time_zone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        response = self.get_response(request)
        timezone.deactivate()
        return response


class LockoutStatusMiddleware:
    """A sign-in or recovery form refused by the lockout's delay keeps its page (the typed
    login, the «Mot de passe oublié» link) but says 429 with Retry-After, like a rate limit."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        wait = getattr(request, "lockout_wait", 0)
        if wait and response.status_code == 200:
            response.status_code = 429
            response.reason_phrase = "Too Many Requests"
            response["Retry-After"] = str(wait)
        return response
