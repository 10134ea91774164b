"""CalDAV/CardDAV (calendar_app, dav/): Radicale on loopback, reached by the web app directly
and by phones through the /dav/ proxy (or the production reverse proxy). The web app signs in
as ``<login>!<CALDAV_MASTER_USER>`` with CALDAV_MASTER_SECRET (settings/generated.py),
accepted only straight from loopback (or CALDAV_MASTER_NETWORKS), never through the proxy
(dav/radicale_auth.py)."""

from pathlib import Path

from celery.schedules import crontab

from convergence.env import env, env_bool, env_int, env_list
from convergence.settings.base import DEVELOPMENT, VAR_DIR
from convergence.settings.celery import CELERY_BEAT_SCHEDULE

RADICALE_HOST = env("RADICALE_HOST", "127.0.0.1")
RADICALE_PORT = env_int("RADICALE_PORT", 5232)
CALDAV_URL = env("CALDAV_URL", f"http://{RADICALE_HOST}:{RADICALE_PORT}/")
CALDAV_TIMEOUT = env_int("CALDAV_TIMEOUT", 10)
CALDAV_MASTER_USER = env("CALDAV_MASTER_USER", "convergence")
# Where that master login may come from, straight (never through the /dav/ proxy or the
# reverse proxy, which set X-Remote-Addr): loopback, or the app containers' network.
CALDAV_MASTER_NETWORKS = env_list("CALDAV_MASTER_NETWORKS", ["127.0.0.1/32", "::1/128"])
RADICALE_DIR = Path(env("RADICALE_DIR", str(VAR_DIR / "radicale")))
# Radicale's collections folder (its storage's filesystem_folder) where the worker shares it:
# the copies of received invitations are written there without HTTP (dav/storage_writes.py).
# Empty: over HTTP, for a worker on another host. `make run`, the tests and the bench run
# Radicale from RADICALE_DIR on this machine.
RADICALE_COLLECTIONS = env("RADICALE_COLLECTIONS",
                           str(RADICALE_DIR / "collections") if DEVELOPMENT else "")  # fmt: skip
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
# Every person's school calendar for their phones (calendar_app.school_copy), written only
# where it changed (also queued after `import_school_holidays`).
CELERY_BEAT_SCHEDULE["write-school-calendars"] = {
    "task": "calendar_app.tasks.write_school_calendars",
    "schedule": crontab(hour=env_int("SCHOOL_CALENDAR_HOUR", 3), minute=45),
}
CELERY_BEAT_SCHEDULE["send-agenda-reminders"] = {
    "task": "calendar_app.tasks.send_reminders",
    "schedule": float(env_int("AGENDA_REMINDER_SWEEP_SECONDS", 60)),
}

# Subscriptions to public .ics URLs: fetched with convergence.safe_fetch (public addresses
# only), refreshed by a beat job once older than AGENDA_SUBSCRIPTION_REFRESH_SECONDS.
AGENDA_SUBSCRIPTION_REFRESH_SECONDS = env_int("AGENDA_SUBSCRIPTION_REFRESH_SECONDS", 6 * 3600)
AGENDA_SUBSCRIPTION_MAX_BYTES = env_int("AGENDA_SUBSCRIPTION_MAX_BYTES", 5 * 1024 * 1024)
AGENDA_SUBSCRIPTION_TIMEOUT = env_int("AGENDA_SUBSCRIPTION_TIMEOUT", 15)
# Only the tests serve .ics files from this machine; production refuses loopback addresses
# (and calendar_app/checks.py refuses to start with this on).
AGENDA_SUBSCRIPTION_ALLOW_LOOPBACK = env_bool("AGENDA_SUBSCRIPTION_ALLOW_LOOPBACK", False)
CELERY_BEAT_SCHEDULE["refresh-agenda-subscriptions"] = {
    "task": "calendar_app.tasks.refresh_subscriptions",
    "schedule": float(env_int("AGENDA_SUBSCRIPTION_SWEEP_SECONDS", 900)),
}
