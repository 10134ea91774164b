"""The system checks that refuse a production start on development defaults, and
`check --deploy` clean once the production variables are set."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.test import override_settings

from convergence.checks import check_allowed_hosts, check_password_hashing, check_secrets

PUBLIC_HOSTS = ["webmail.ac-demo.fr"]


def _real_secrets() -> dict[str, str]:
    return {name: secrets.token_urlsafe(50) for name in settings.GENERATED_SECRETS}


def _ids(errors) -> list[str]:
    return [error.id for error in errors]


def test_generated_secrets_refused_with_debug_off():
    # The test run sets none of the three: settings generated them under its var/.
    with override_settings(DEBUG=False):
        errors = check_secrets()
    assert _ids(errors) == ["convergence.E001", "convergence.E002", "convergence.E003"]
    assert "DJANGO_SECRET_KEY" in errors[0].hint


def test_generated_secrets_accepted_in_development():
    with override_settings(DEBUG=True):
        assert check_secrets() == []
    with override_settings(DEBUG=False, DEVELOPMENT=True):  # make run: the app's error pages
        assert check_secrets() == []


def test_secrets_from_the_environment_accepted_with_debug_off():
    with override_settings(DEBUG=False, **_real_secrets()):
        assert check_secrets() == []


def test_missing_master_secret_refused():
    for debug in (False, True):
        with override_settings(DEBUG=debug, **{**_real_secrets(), "DOVECOT_MASTER_SECRET": ""}):
            assert _ids(check_secrets()) == ["convergence.E003"]
        with override_settings(DEBUG=debug, **{**_real_secrets(), "NUMEN_HASH_KEY": ""}):
            assert _ids(check_secrets()) == ["convergence.E002"]


def test_loopback_hosts_refused_with_debug_off():
    for hosts in (["127.0.0.1", "localhost", "[::1]"], ["127.0.0.2"], ["app.localhost"]):
        with override_settings(DEBUG=False, ALLOWED_HOSTS=hosts):
            assert _ids(check_allowed_hosts()) == ["convergence.E004"], hosts


def test_public_host_accepted():
    with override_settings(DEBUG=False, ALLOWED_HOSTS=[*PUBLIC_HOSTS, "127.0.0.1"]):
        assert check_allowed_hosts() == []
    with override_settings(DEBUG=True, ALLOWED_HOSTS=["127.0.0.1"]):
        assert check_allowed_hosts() == []


def test_cheap_password_hashing_refused_with_debug_off():
    with override_settings(DEBUG=False, DEVELOPMENT=False, PASSWORD_ARGON2_MEMORY_KIB=8192):
        assert _ids(check_password_hashing()) == ["convergence.E007"]
    with override_settings(DEBUG=False, DEVELOPMENT=False, PASSWORD_ARGON2_MEMORY_KIB=65536,
                           PASSWORD_ARGON2_TIME_COST=3):
        assert check_password_hashing() == []


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in {*settings.GENERATED_SECRETS, "DJANGO_SECRET_KEY"}
        # the tests' own; never in production
        and name not in {"DJANGO_ALLOW_ASYNC_UNSAFE", "PASSWORD_ARGON2_TIME_COST",
                         "PASSWORD_ARGON2_MEMORY_KIB"}
    }
    environment.update({"DJANGO_DEBUG": "0", **env})
    return subprocess.run(
        [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), *args],
        capture_output=True, text=True, env=environment, timeout=120, check=False,
    )  # fmt: skip


def test_check_refuses_development_defaults_with_debug_off():
    result = _manage("check")
    assert result.returncode == 1
    for error in ("convergence.E001", "convergence.E002", "convergence.E003", "convergence.E004"):
        assert error in result.stderr


def test_check_deploy_clean_with_production_variables():
    production = {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "NUMEN_HASH_KEY": secrets.token_urlsafe(32),
        "DOVECOT_MASTER_SECRET": secrets.token_urlsafe(32),
        "CALDAV_MASTER_SECRET": secrets.token_urlsafe(32),
        "DJANGO_ALLOWED_HOSTS": ",".join(PUBLIC_HOSTS),
        "DJANGO_HTTPS": "true",
    }
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **production)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_makemigrations_runs_on_development_defaults():
    """Writing migrations reads only the models: the production checks do not stop it."""
    result = _manage("makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stderr
