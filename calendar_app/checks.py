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
