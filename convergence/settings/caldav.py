"""CalDAV/CardDAV (calendar_app, dav/): Radicale on loopback, reached by the web app directly
and by phones through the /dav/ proxy (or the production reverse proxy). The web app signs in
as ``<login>!<CALDAV_MASTER_USER>`` with CALDAV_MASTER_SECRET (settings/generated.py),
accepted only straight from loopback, never through the proxy (dav/radicale_auth.py)."""

from pathlib import Path

from celery.schedules import crontab

from convergence.env import env, env_int
from convergence.settings.base import VAR_DIR
from convergence.settings.celery import CELERY_BEAT_SCHEDULE

RADICALE_HOST = env("RADICALE_HOST", "127.0.0.1")
RADICALE_PORT = env_int("RADICALE_PORT", 5232)
CALDAV_URL = env("CALDAV_URL", f"http://{RADICALE_HOST}:{RADICALE_PORT}/")
CALDAV_TIMEOUT = env_int("CALDAV_TIMEOUT", 10)
CALDAV_MASTER_USER = env("CALDAV_MASTER_USER", "convergence")
RADICALE_DIR = Path(env("RADICALE_DIR", str(VAR_DIR / "radicale")))
# Seconds a successful client sign-in is remembered by the auth plugin (Argon2 is slow).
CALDAV_AUTH_CACHE_SECONDS = env_int("CALDAV_AUTH_CACHE_SECONDS", 60)
# Occurrences one expansion may produce: an RRULE without end never hangs a page.
AGENDA_MAX_OCCURRENCES = env_int("AGENDA_MAX_OCCURRENCES", 2000)
AGENDA_TIME_ZONE = env("AGENDA_TIME_ZONE", "Europe/Paris")

# Every person's read-only address books of their établissements' staff, from the directory
# (also queued after each HR import); a night without changes asks the store nothing.
CELERY_BEAT_SCHEDULE["sync-staff-address-books"] = {
    "task": "contacts.tasks.sync_staff_books",
    "schedule": crontab(hour=env_int("STAFF_BOOKS_HOUR", 3), minute=15),
}
CELERY_BEAT_SCHEDULE["send-agenda-reminders"] = {
    "task": "calendar_app.tasks.send_reminders",
    "schedule": float(env_int("AGENDA_REMINDER_SWEEP_SECONDS", 60)),
}
