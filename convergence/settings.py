"""Django settings for Convergence: everything comes from the environment, with safe defaults."""

import ipaddress
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from convergence.env import env, env_bool, env_int, env_list, secret_from_file

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env("CONVERGENCE_VAR_DIR", str(BASE_DIR / "var")))
(VAR_DIR / "static").mkdir(parents=True, exist_ok=True)  # whitenoise wants STATIC_ROOT

DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = env("DJANGO_SECRET_KEY") or secret_from_file(VAR_DIR / "secret_key")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "django_htmx",
    "dsfr",
    "convergence",
    "accounts",
    "directory",
    "mail",
    "calendar_app",
    "shared_mailboxes",
    "notifications",
    "devstack",  # manage.py rundev
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "accounts.password_change.AccountStateMiddleware",
    "accounts.middleware.PreferencesMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "mail.webmail.middleware.MailServiceUnavailableMiddleware",
    "accounts.devices.DeviceCookieMiddleware",
    "accounts.mfa_policy.MfaEnrolmentMiddleware",
]

ROOT_URLCONF = "convergence.urls"
WSGI_APPLICATION = "convergence.wsgi.application"
ASGI_APPLICATION = "convergence.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.account",
            ],
        },
    },
]

# --- Database: SQLite under var/ by default, PostgreSQL in CI and production -------------
DATABASE_URL = env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'convergence.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=5000;"
        ),
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # The worker and Dovecot read the same file as the test run, so the test DB is a file.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: Celery broker and cache ---------------------------------------------------------
REDIS_URL = env("REDIS_URL", "redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env("CACHE_KEY_PREFIX", "convergence"),
    }
}
# Sessions live in the database (they survive a Redis restart) and are read through the cache.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 12 * 3600)

CELERY_BROKER_URL = env("CELERY_BROKER_URL", REDIS_URL)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 600}
CELERY_TIMEZONE = "Europe/Paris"
CELERY_BEAT_SCHEDULE = {
    "purge-expired-shared-files": {
        "task": "mail.tasks.purge_expired_shared_files",
        "schedule": 3600.0,
    },
    "send-waiting-messages": {
        "task": "mail.tasks.send_waiting_messages",
        "schedule": float(env_int("SPOOL_SWEEP_SECONDS", 60)),
    },
    "requeue-stalled-spool": {
        "task": "mail.tasks.requeue_stalled_spool",
        "schedule": float(env_int("SPOOL_SWEEP_SECONDS", 60)),
    },
    "end-expired-delegations": {
        "task": "mail.tasks.end_expired_delegations",
        "schedule": float(env_int("DELEGATION_SWEEP_SECONDS", 300)),
    },
    # Scheduled and held messages wait in the database; this queues them when they are due.
    "send-due-messages": {
        "task": "mail.tasks.send_due_messages",
        "schedule": float(env_int("SCHEDULED_SEND_SWEEP_SECONDS", 30)),
    },
    "send-daily-digests": {
        "task": "notifications.tasks.send_digests",
        "schedule": float(env_int("DIGEST_SWEEP_SECONDS", 300)),
    },
}

CELERY_BEAT_SCHEDULE["suspend-inactive-accounts"] = {
    "task": "accounts.tasks.suspend_inactive_accounts",
    "schedule": 6 * 3600.0,
}

# --- Accounts -------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accounts.backends.AcademicAuthenticationBackend"]
# Argon2id with parallelism 1 first: Dovecot (libsodium) verifies the same hash for IMAP.
PASSWORD_HASHERS = [
    "accounts.hashers.DovecotArgon2Hasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.password_policy.PersonalDataValidator"},
]
NUMEN_HASH_KEY = env("NUMEN_HASH_KEY") or secret_from_file(VAR_DIR / "numen_key")

ACCOUNT_ADAPTER = "accounts.adapter.AcademicAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email*", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SESSION_REMEMBER = False
# Failed sign-ins are throttled by accounts/lockout.py (growing delay, then a lock), not by
# allauth's "login_failed" limit, so that one rule decides and one message explains it.
ACCOUNT_RATE_LIMITS = {"login_failed": None, "login": "30/m/ip"}
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "mail:home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
# Lockout (accounts/lockout.py): failures per account (or per typed login) and per IP.
LOGIN_DELAY_AFTER_FAILURES = env_int("LOGIN_DELAY_AFTER_FAILURES", 5)
LOGIN_LOCK_AFTER_FAILURES = env_int("LOGIN_LOCK_AFTER_FAILURES", 10)
# A whole lycée may share one public IP: the per-IP threshold is much higher.
LOGIN_IP_DELAY_AFTER_FAILURES = env_int("LOGIN_IP_DELAY_AFTER_FAILURES", 50)
LOGIN_FIRST_DELAY_SECONDS = env_int("LOGIN_FIRST_DELAY_SECONDS", 30)
LOGIN_MAX_DELAY_SECONDS = env_int("LOGIN_MAX_DELAY_SECONDS", 15 * 60)
LOGIN_FAILURE_WINDOW_SECONDS = env_int("LOGIN_FAILURE_WINDOW_SECONDS", 24 * 3600)
RECOVERY_CODE_MINUTES = 15
# Accounts unused this long are suspended; they are warned by mail this many days before.
INACTIVITY_SUSPEND_DAYS = env_int("INACTIVITY_SUSPEND_DAYS", 180)
INACTIVITY_WARNING_DAYS = env_int("INACTIVITY_WARNING_DAYS", 15)
# «Sécuriser le compte» removes forwardings and sorting rules created this recently (a
# phishing attacker's usual move); older ones are shown to support, not removed.
SUPPORT_RECENT_CHANGES_DAYS = env_int("SUPPORT_RECENT_CHANGES_DAYS", 30)
# Country files of Debian's geoip-database (IPv4, IPv6): a sign-in from a country none of
# the person's devices was seen from brings a «nouvelle connexion» notice.
GEOIP_COUNTRY_DATABASES = env_list(
    "GEOIP_COUNTRY_DATABASES", ["/usr/share/GeoIP/GeoIP.dat", "/usr/share/GeoIP/GeoIPv6.dat"]
)

# --- Account security: second factor, sessions, devices, app passwords ----------------------
MFA_ADAPTER = "accounts.mfa_policy.AcademicMFAAdapter"
MFA_FORMS = {"activate_totp": "accounts.mfa_policy.SingleUseActivateTOTPForm"}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env("MFA_TOTP_ISSUER", "Convergence")
MFA_RECOVERY_CODES_SHOW_ONCE = True
# One step either side for phones whose clock drifts; a used code stays refused for all three.
MFA_TOTP_TOLERANCE = 1
# Codes are never mailed: confirm with the password or the second factor.
ACCOUNT_REAUTHENTICATION_METHODS = ["password", "mfa"]
USERSESSIONS_TRACK_ACTIVITY = True
# The établissements' networks (CIDR); when set, a sign-in from elsewhere needs a second factor.
TRUSTED_NETWORKS = [  # parsed here so that a typo stops the start, not a sign-in
    str(ipaddress.ip_network(cidr, strict=False)) for cidr in env_list("TRUSTED_NETWORKS", [])
]
# Categories that always need a second factor (accounts.User.Category); IT support always does.
MFA_REQUIRED_CATEGORIES = env_list("MFA_REQUIRED_CATEGORIES", [])

# --- Mail: one block per protocol, every endpoint overridable --------------------------------
MAIL_DOMAINS = env_list("MAIL_DOMAINS", ["ac-demo.test"])
MAIL_DOMAIN = MAIL_DOMAINS[0]
IMAP_HOST = env("IMAP_HOST", "127.0.0.1")
IMAP_PORT = env_int("IMAP_PORT", 1143)
IMAP_TIMEOUT = env_int("IMAP_TIMEOUT", 10)
IMAP_IDLE_SECONDS = env_int("IMAP_IDLE_SECONDS", 300)
DOVECOT_DIR = Path(env("DOVECOT_DIR", str(VAR_DIR / "dovecot")))
LMTP_SOCKET = env("LMTP_SOCKET", str(DOVECOT_DIR / "run" / "lmtp"))
DOVECOT_MASTER_USER = env("DOVECOT_MASTER_USER", "convergence")
# Dovecot's per-IP delay after failed logins. Off only in the tests, whose wrong passwords
# come from 127.0.0.1 like the webmail's own logins.
DOVECOT_AUTH_PENALTY = env_bool("DOVECOT_AUTH_PENALTY", True)
DOVECOT_MASTER_SECRET = env("DOVECOT_MASTER_SECRET") or secret_from_file(
    VAR_DIR / "dovecot_master_secret"
)
GATEWAY_HOST = env("GATEWAY_HOST", "127.0.0.1")
GATEWAY_INBOUND_PORT = env_int("GATEWAY_INBOUND_PORT", 2525)
GATEWAY_SUBMISSION_PORT = env_int("GATEWAY_SUBMISSION_PORT", 2587)
# Loopback development speaks plain SMTP; production terminates TLS in front of the gateway.
GATEWAY_REQUIRE_TLS = env_bool("GATEWAY_REQUIRE_TLS", False)
GATEWAY_MAX_MESSAGE_SIZE = env_int("GATEWAY_MAX_MESSAGE_SIZE", 25 * 1024 * 1024)
SPOOL_DIR = Path(env("SPOOL_DIR", str(VAR_DIR / "spool")))
# A pending message untouched for this long is queued again by the periodic sweep.
SPOOL_STALLED_SECONDS = env_int("SPOOL_STALLED_SECONDS", 300)
DELIVERY_CLAIM_SECONDS = env_int("DELIVERY_CLAIM_SECONDS", 120)
# Fault-injection hook for the tests only, 0 (off) in production: the worker waits this long
# after Dovecot stored a message and before it records the recipients as served, so a test
# can kill it inside that window.
DELIVERY_FAULT_PAUSE_SECONDS = env_int("DELIVERY_FAULT_PAUSE_SECONDS", 0)
# External mail goes to this smarthost; without one it is captured in the spool, never sent.
SMARTHOST = env("SMARTHOST", "")
# Attachments above this size leave as a link to the académie's own storage instead.
LARGE_ATTACHMENT_BYTES = env_int("LARGE_ATTACHMENT_BYTES", 10 * 1024 * 1024)
SHARED_FILE_MAX_BYTES = env_int("SHARED_FILE_MAX_BYTES", 200 * 1024 * 1024)
SHARED_FILE_DAYS = env_int("SHARED_FILE_DAYS", 30)
SHARED_FILES_DIR = Path(env("SHARED_FILES_DIR", str(VAR_DIR / "shared")))
# How links in messages name this site (shared files); the address people open.
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", "http://127.0.0.1:8000")
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The block a signature can add at the user's request (legal notice, confidentiality).
ACADEMIE_MENTIONS = env(
    "ACADEMIE_MENTIONS",
    "Ce message et ses pièces jointes sont destinés à leurs seuls destinataires. "
    "Si vous l'avez reçu par erreur, merci de le signaler à l'expéditeur et de le supprimer.",
)
# «Droit à la déconnexion»: outside these hours and days (ISO weekdays, Monday = 1), a
# message to colleagues waits for the next working morning. Empty WORKING_HOURS: no hold.
WORKING_HOURS = env("WORKING_HOURS", "08:00-18:00")
WORKING_DAYS = [int(day) for day in env_list("WORKING_DAYS", ["1", "2", "3", "4", "5"])]
# How often an open webmail page asks whether new mail arrived.
NOTICE_POLL_SECONDS = env_int("NOTICE_POLL_SECONDS", 30)
# The sender of the académie's automatic mail (recovery codes, inactivity warnings).
SYSTEM_MAIL_FROM = env("SYSTEM_MAIL_FROM", f"ne-pas-repondre@{MAIL_DOMAIN}")
# Only the tests serve images from loopback; in production the proxy refuses private addresses.
IMAGE_PROXY_ALLOW_PRIVATE = env_bool("IMAGE_PROXY_ALLOW_PRIVATE", False)

# --- Spam: SpamAssassin's spamd, spoken to by mail/spam.py only ----------------------------
SPAMD_HOST = env("SPAMD_HOST", "127.0.0.1")
SPAMD_PORT = env_int("SPAMD_PORT", 1783)
SPAMD_TIMEOUT = env_int("SPAMD_TIMEOUT", 30)
# The development spamd's Bayes databases (one directory per mailbox) and log.
SPAMD_DIR = Path(env("SPAMD_DIR", str(VAR_DIR / "spamassassin")))
# At or above this score a message goes to the recipient's Junk folder.
SPAM_THRESHOLD = float(env("SPAM_THRESHOLD", "5.0"))
# Larger messages are delivered unscored, as spamc does (spam is small; scanning is costly).
SPAM_MAX_BYTES = env_int("SPAM_MAX_BYTES", 500 * 1024)
# Messages a mailbox must have learned of each kind before its Bayes filter counts
# (SpamAssassin's bayes_min_spam_num / bayes_min_ham_num); only the tests lower it.
SPAM_BAYES_MIN_LEARNED = env_int("SPAM_BAYES_MIN_LEARNED", 200)
# «Signaler un hameçonnage» forwards the message here.
SECURITY_REPORT_ADDRESS = env("SECURITY_REPORT_ADDRESS", f"securite@{MAIL_DOMAIN}")
# A message whose delivery fails this many times stops retrying and waits for IT support.
DELIVERY_MAX_ATTEMPTS = env_int("DELIVERY_MAX_ATTEMPTS", 100)

# --- Internationalisation: French first, English available ---------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# --- Security headers: a strict CSP, no inline script ---------------------------------------
from django.utils.csp import CSP  # noqa: E402

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "frame-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # aiosmtpd logs every command line at INFO, AUTH credentials included.
        "mail.log": {"level": "WARNING"},
    },
}

# --- What mail clients are told (accounts/mobile.py): the public names and ports of IMAP,
# submission and CalDAV, which differ from the loopback addresses the web app uses. Security:
# "ssl" (implicit TLS), "starttls" or "none" (only acceptable on loopback, in development).
MAIL_CLIENT_IMAP_HOST = env("MAIL_CLIENT_IMAP_HOST", IMAP_HOST)
MAIL_CLIENT_IMAP_PORT = env_int("MAIL_CLIENT_IMAP_PORT", IMAP_PORT)
MAIL_CLIENT_IMAP_SECURITY = env("MAIL_CLIENT_IMAP_SECURITY", "none")
MAIL_CLIENT_SMTP_HOST = env("MAIL_CLIENT_SMTP_HOST", GATEWAY_HOST)
MAIL_CLIENT_SMTP_PORT = env_int("MAIL_CLIENT_SMTP_PORT", GATEWAY_SUBMISSION_PORT)
MAIL_CLIENT_SMTP_SECURITY = env("MAIL_CLIENT_SMTP_SECURITY", "none")
MAIL_CLIENT_CALDAV_URL = env("MAIL_CLIENT_CALDAV_URL", "")
