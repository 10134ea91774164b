"""System checks that stop a production start on development defaults. DEBUG off means
production: then a secret generated under var/ (each container would generate its own), a
missing master secret, or hosts left at loopback are errors, and `manage.py migrate`,
`runserver` and `check` refuse to go on."""

import ipaddress
from pathlib import Path

from django.conf import settings
from django.core.checks import Error, Tags, register

DEVELOPMENT = "In development, set CONVERGENCE_DEVELOPMENT=true (`make run` does)."


def _development() -> bool:
    return settings.DEBUG or getattr(settings, "DEVELOPMENT", False)


def _generated(filename: str, value: str) -> bool:
    path = Path(settings.VAR_DIR) / filename
    return path.exists() and path.read_text().strip() == value


@register(Tags.security)
def check_secrets(app_configs=None, **kwargs) -> list[Error]:
    errors = []
    # GENERATED_SECRETS: setting → (environment variable, file), convergence/settings/generated.py
    for number, (setting, (variable, filename)) in enumerate(settings.GENERATED_SECRETS.items(), 1):
        value, error_id = getattr(settings, setting, ""), f"convergence.E00{number}"
        if not value:
            errors.append(Error(f"{setting} is empty.", hint=f"Set {variable}.", id=error_id))
        elif not _development() and _generated(filename, value):
            errors.append(
                Error(
                    f"{setting} was generated into {settings.VAR_DIR}/{filename}"
                    " while DEBUG is off.",
                    hint=f"In production, set {variable} (the same value for every process). "
                    + DEVELOPMENT,
                    id=error_id,
                )
            )
    return errors


def _loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@register(Tags.security)
def check_allowed_hosts(app_configs=None, **kwargs) -> list[Error]:
    if _development() or not all(_loopback(host) for host in settings.ALLOWED_HOSTS):
        return []
    return [
        Error(
            "ALLOWED_HOSTS only names loopback addresses while DEBUG is off.",
            hint="In production, set DJANGO_ALLOWED_HOSTS to the site's public name(s). "
            + DEVELOPMENT,
            id="convergence.E004",
        )
    ]


@register(Tags.security)
def check_tls_files(app_configs=None, **kwargs) -> list[Error]:
    """A TLS setting that cannot work stops the start rather than a client's first login."""
    if settings.GATEWAY_REQUIRE_TLS and not settings.TLS_CERT_FILE:
        return [Error("GATEWAY_REQUIRE_TLS is on but TLS_CERT_FILE is empty.",
                      hint="Set TLS_CERT_FILE and TLS_KEY_FILE (PEM files).",
                      id="convergence.E005")]  # fmt: skip
    paths = {name: getattr(settings, name) for name in ("TLS_CERT_FILE", "TLS_KEY_FILE")}
    return [Error(f"{name} names no readable file.", hint="Give the path of a PEM file.",
                  id="convergence.E006")
            for name, path in paths.items() if path and not Path(path).is_file()]  # fmt: skip


@register(Tags.security)
def check_password_hashing(app_configs=None, **kwargs) -> list[Error]:
    """A test suite's cheap Argon2 must never store production passwords."""
    if _development() or (
        settings.PASSWORD_ARGON2_TIME_COST >= 3 and settings.PASSWORD_ARGON2_MEMORY_KIB >= 65536
    ):
        return []
    return [
        Error(
            "PASSWORD_ARGON2_TIME_COST or PASSWORD_ARGON2_MEMORY_KIB is below 3 / 65536 "
            "while DEBUG is off.",
            hint="Unset them in production: the lower values are for test suites only.",
            id="convergence.E007",
        )
    ]
