"""Each signed-in person's language and time zone, from their preferences."""

import zoneinfo

from django.utils import timezone, translation

from accounts.models import Preferences


class PreferencesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
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
