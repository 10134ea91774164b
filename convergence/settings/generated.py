"""The only settings module that writes to disk when it is imported: the secrets the
environment does not give are generated once into 0600 files under var/ (development;
convergence/checks.py refuses them when DEBUG is off), and the folder whitenoise wants."""

from convergence.env import env, secret_from_file
from convergence.settings.base import STATIC_ROOT, VAR_DIR

# Setting name → (environment variable, file under VAR_DIR holding the generated value).
GENERATED_SECRETS = {
    "SECRET_KEY": ("DJANGO_SECRET_KEY", "secret_key"),
    "NUMEN_HASH_KEY": ("NUMEN_HASH_KEY", "numen_key"),
    "DOVECOT_MASTER_SECRET": ("DOVECOT_MASTER_SECRET", "dovecot_master_secret"),
}


def _from_environment_or_generated(setting: str) -> str:
    variable, filename = GENERATED_SECRETS[setting]
    return env(variable) or secret_from_file(VAR_DIR / filename)


SECRET_KEY = _from_environment_or_generated("SECRET_KEY")
# Key of the NUMEN hash (accounts/numen.py): the NUMEN itself is never stored.
NUMEN_HASH_KEY = _from_environment_or_generated("NUMEN_HASH_KEY")
# The web app's Dovecot master password (the master user is in settings/mail.py).
DOVECOT_MASTER_SECRET = _from_environment_or_generated("DOVECOT_MASTER_SECRET")
# The web app's master password at the CalDAV server (the master user is in settings/caldav.py).
# Outside GENERATED_SECRETS, whose check numbers are fixed: calendar_app/checks.py checks it.
CALDAV_MASTER_SECRET = env("CALDAV_MASTER_SECRET") or secret_from_file(
    VAR_DIR / "caldav_master_secret"
)

STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns when it is missing
