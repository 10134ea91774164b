"""Production start refused on a generated CalDAV master secret (as convergence/checks.py does
for the others): each container would generate its own, and Radicale would refuse the web app."""

from pathlib import Path

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security)
def check_caldav_master_secret(app_configs=None, **kwargs) -> list[Error]:
    if settings.DEBUG or getattr(settings, "DEVELOPMENT", False):
        return []
    path = Path(settings.VAR_DIR) / "caldav_master_secret"
    if path.exists() and path.read_text().strip() == settings.CALDAV_MASTER_SECRET:
        return [Error(
            f"CALDAV_MASTER_SECRET was generated into {path} while DEBUG is off.",
            hint="In production, set CALDAV_MASTER_SECRET (the same value for the web app, the "
            "workers and the CalDAV server's auth plugin). In development, set "
            "CONVERGENCE_DEVELOPMENT=true (`make run` does).",
            id="calendar_app.E001",
        )]  # fmt: skip
    return []


@register(Tags.security)
def check_subscription_fetch(app_configs=None, **kwargs) -> list[Error]:
    """Subscriptions may reach loopback only in the tests: in production that would let any
    person read the server's own services through a «public» agenda address."""
    if settings.DEBUG or getattr(settings, "DEVELOPMENT", False):
        return []
    if settings.AGENDA_SUBSCRIPTION_ALLOW_LOOPBACK:
        return [Error(
            "AGENDA_SUBSCRIPTION_ALLOW_LOOPBACK is on while DEBUG is off.",
            hint="Unset it: only the test suite serves .ics files from this machine.",
            id="calendar_app.E002",
        )]  # fmt: skip
    return []
