"""Django itself: apps, middleware, templates, database, cache and sessions, languages,
static files, security headers, logging."""

from pathlib import Path

import dj_database_url
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from convergence.env import env, env_bool, env_int, env_list

BASE_DIR = Path(__file__).resolve().parent.parent.parent  # the checkout: manage.py, deploy/, var/
# The site's templates/, static/ and locale/: at the top of the checkout, or inside the
# installed wheel, where setup.py copies them (convergence/site/).
_WHEEL_SITE_DIR = Path(__file__).resolve().parent.parent / "site"
SITE_DIR = BASE_DIR if (BASE_DIR / "templates").is_dir() else _WHEEL_SITE_DIR
VAR_DIR = Path(env("CONVERGENCE_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DJANGO_DEBUG", False)
# The embedded default of `make run`: secrets generated under var/ and loopback hosts are
# accepted with DEBUG off, so a demo shows the app's own error pages, not Django's debug ones.
DEVELOPMENT = env_bool("CONVERGENCE_DEVELOPMENT", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "convergence",  # system checks
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
    "dsfr",
    "accounts",
    "directory",
    "mail",
    "dav",
    "calendar_app",
    "contacts",
    "shared_mailboxes",
    "notifications",
    "devstack",  # manage.py rundev
    "demo",  # manage.py seed_demo
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
    "convergence.private_pages.PrivatePagesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.session_activity.SessionActivityMiddleware",  # allauth.usersessions', throttled
    "accounts.password_change.AccountStateMiddleware",
    "accounts.middleware.PreferencesMiddleware",
    "accounts.middleware.LockoutStatusMiddleware",
    "mail.webmail.middleware.MailServiceUnavailableMiddleware",
    "accounts.devices.DeviceCookieMiddleware",
    "accounts.mfa_policy.MfaEnrolmentMiddleware",
]

ROOT_URLCONF = "convergence.urls"
CSRF_FAILURE_VIEW = "pages.errors.csrf_failure"
WSGI_APPLICATION = "convergence.wsgi.application"
ASGI_APPLICATION = "convergence.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # First: the site's templates override those of the admin, allauth and dsfr.
        "DIRS": [SITE_DIR / "templates"],
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
elif env_bool("DATABASE_POOL", False):
    # Set for Radicale (devstack/radicale.py, docker-compose), whose plugins query from a new
    # thread for each request: without a pool every request opened its own PostgreSQL
    # connection (about 4.5 ms; twice for a write, the auth's and the hook's).
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps them (Django requires 0)
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        pool={"min_size": 1, "max_size": 10, "timeout": 10},
        application_name="convergence-radicale",  # what pg_stat_activity shows
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The largest request body kept in memory (the compose form's text; files stream to disk).
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# An uploaded file larger than this goes to a temporary file as it arrives (Django's
# TemporaryFileUploadHandler); a large attachment then becomes a link from there, copied in
# chunks (mail.outgoing.shared_files), so a 200 MB file never sits in the web process.
FILE_UPLOAD_MAX_MEMORY_SIZE = int(2.5 * 1024 * 1024)

# --- Redis: the cache (and the Celery broker, convergence/settings/celery.py) ------------
REDIS_URL = env("REDIS_URL", "redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        # Redis down: cache misses, never errors (convergence/cache.py).
        "BACKEND": "convergence.cache.ForgivingRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env("CACHE_KEY_PREFIX", "convergence"),
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
    }
}
# Sessions live in the database (they survive a Redis restart) and are read through the cache.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 12 * 3600)

# --- Internationalisation: French first, English available ---------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
# The site-wide catalogue, where `makemessages` puts the strings of apps without their own.
LOCALE_PATHS = [SITE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [SITE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# --- Security headers: a strict CSP, no inline script ---------------------------------------
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
# Production is served over HTTPS by a TLS-terminating reverse proxy that sets
# X-Forwarded-Proto (and must strip it from what clients send): secure cookies, redirect to
# HTTPS, HSTS. Loopback development speaks plain HTTP.
HTTPS = env_bool("DJANGO_HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
# Dovecot's auth policy requests (accounts/mail_logins.py) come in plain HTTP on the private
# network, authenticated by their token: never redirected to HTTPS, where they would fail.
SECURE_REDIRECT_EXEMPT = [r"^compte/interne/"]
# The header the proxy sets, as "Name: value" (DJANGO_PROXY_SSL_HEADER), when it is not
# X-Forwarded-Proto: https.
_proxy_header = env("DJANGO_PROXY_SSL_HEADER", "X-Forwarded-Proto: https" if HTTPS else "")
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_" + _proxy_header.split(":")[0].strip().upper().replace("-", "_"),
     _proxy_header.split(":", 1)[1].strip())
    if ":" in _proxy_header
    else None
)
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 365 * 24 * 3600 if HTTPS else 0)
# The webmail's host is usually a subdomain of the académie's: whether HSTS covers every
# other subdomain, or goes into browsers' preload list, is the académie's call, not ours.
SILENCED_SYSTEM_CHECKS = ["security.W005", "security.W021"]

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
