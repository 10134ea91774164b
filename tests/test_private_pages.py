"""No cache keeps a page that shows someone's mail or account; the proxy header settings."""

import os
import subprocess
import sys

import pytest
from django.urls import reverse

pytestmark = pytest.mark.usefixtures("mail_stack")


def test_signed_in_pages_are_never_cached(client, prof):
    client.force_login(prof)
    for url in (
        reverse("mail:folder", args=[prof.personal_mailbox.id, "INBOX"]),
        reverse("mail:search", args=[prof.personal_mailbox.id]),
        reverse("accounts:account"),
        reverse("accounts:history"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        directives = {d.strip() for d in response["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= directives, url


def _setting(name: str, **environ) -> str:
    code = f"import django; django.setup(); from django.conf import settings as s; print(s.{name})"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "convergence.settings", **environ}
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.strip()


def test_hsts_and_the_proxy_header_come_from_the_environment():
    assert _setting("SECURE_HSTS_SECONDS", DJANGO_HSTS_SECONDS="600") == "600"
    header = _setting("SECURE_PROXY_SSL_HEADER", DJANGO_PROXY_SSL_HEADER="X-Forwarded-Ssl: on")
    assert header == "('HTTP_X_FORWARDED_SSL', 'on')"
