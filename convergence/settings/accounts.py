"""Accounts: the user model, passwords, allauth, second factor, sign-in lockout, recovery,
inactivity, IT support."""

import ipaddress

from convergence.env import env, env_int, env_list

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accounts.backends.AcademicAuthenticationBackend"]
# Argon2id with parallelism 1 first: Dovecot (libsodium) verifies the same hash for IMAP.
PASSWORD_HASHERS = [
    "accounts.hashers.DovecotArgon2Hasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Argon2id hashes computed at once per process (64 MiB each), web and gateway alike.
PASSWORD_HASHING_CONCURRENCY = env_int("PASSWORD_HASHING_CONCURRENCY", 4)
# Argon2id's cost for new hashes (Dovecot reads it from each hash). Lower only for a test
# suite, where hundreds of people get a password: convergence/checks.py refuses a production
# start below these values.
PASSWORD_ARGON2_TIME_COST = env_int("PASSWORD_ARGON2_TIME_COST", 3)
PASSWORD_ARGON2_MEMORY_KIB = env_int("PASSWORD_ARGON2_MEMORY_KIB", 65536)
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

ACCOUNT_ADAPTER = "accounts.adapter.AcademicAccountAdapter"
ACCOUNT_USER_DISPLAY = "accounts.adapter.display_name"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email*", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SESSION_REMEMBER = False
# Failed sign-ins are throttled by accounts/lockout.py (growing delay, then a lock), not by
# allauth's "login_failed" limit, so that one rule decides and one message explains it.
# Successful sign-ins are never limited per IP: a lycée signs in 150 people from one address
# between 7:50 and 8:05.
ACCOUNT_RATE_LIMITS = {"login_failed": None, "login": None}
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
# A sign-in from a new device right after this many wrong passwords brings a notice (a new
# device alone does not, unless the account has a second factor: accounts/devices.py).
NEW_SIGN_IN_NOTICE_AFTER_FAILURES = env_int("NEW_SIGN_IN_NOTICE_AFTER_FAILURES", 3)
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
MFA_FORMS = {
    "activate_totp": "accounts.mfa_policy.SingleUseActivateTOTPForm",
    "authenticate": "accounts.mfa_policy.LockoutAuthenticateForm",
    "reauthenticate": "accounts.mfa_policy.LockoutReauthenticateForm",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env("MFA_TOTP_ISSUER", "Convergence")
MFA_RECOVERY_CODES_SHOW_ONCE = True
# One step either side for phones whose clock drifts; a used code stays refused for all three.
MFA_TOTP_TOLERANCE = 1
# Codes are never mailed: confirm with the password or the second factor.
ACCOUNT_REAUTHENTICATION_METHODS = ["password", "mfa"]
USERSESSIONS_TRACK_ACTIVITY = True
# The sessions page's «last seen» is written at most this often per session and web process
# (accounts/session_activity.py), and at once when the address or the browser changes.
SESSION_ACTIVITY_SECONDS = 60
# The établissements' networks (CIDR); when set, a sign-in from elsewhere needs a second factor.
TRUSTED_NETWORKS = [  # parsed here so that a typo stops the start, not a sign-in
    str(ipaddress.ip_network(cidr, strict=False)) for cidr in env_list("TRUSTED_NETWORKS", [])
]
# Where allauth (and so the policy above) reads the client's address behind proxies: a
# header the TLS reverse proxy sets and overwrites (X-Real-IP, as the audit log reads it).
# Empty: REMOTE_ADDR, which behind docker-compose's load balancer is the balancer's.
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env("ALLAUTH_TRUSTED_CLIENT_IP_HEADER", "") or None
# Categories that always need a second factor (accounts.User.Category); IT support always does.
MFA_REQUIRED_CATEGORIES = env_list("MFA_REQUIRED_CATEGORIES", [])
