"""The agenda, stored on a CalDAV server (dav/client.py is its only client)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CalendarAppConfig(AppConfig):
    name = "calendar_app"
    verbose_name = _("Agenda")

    def ready(self) -> None:
        from calendar_app import checks  # noqa: F401 - registers the system check
