"""Redis is a cache only: with it down, signed-in pages and sessions keep working."""

import socket

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.usefixtures("mail_stack")


@pytest.fixture
def redis_down(settings):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.CACHES = {
        **django_settings.CACHES,
        "default": {**django_settings.CACHES["default"], "LOCATION": f"redis://127.0.0.1:{port}/0"},
    }


@pytest.mark.usefixtures("redis_down")
def test_pages_and_sign_in_work_while_redis_is_down(client, prof):
    response = client.post(reverse("account_login"), {"login": prof.username, "password": PASSWORD})
    assert response.status_code == 302
    for url in (
        reverse("mail:folder", args=[prof.personal_mailbox.id, "INBOX"]),
        reverse("accounts:account"),
    ):
        assert client.get(url).status_code == 200, url


def test_the_lockout_survives_a_redis_restart(client, prof, settings):
    settings.LOGIN_DELAY_AFTER_FAILURES = 2
    for _ in range(2):
        client.post(reverse("account_login"), {"login": prof.username, "password": "pas-le-bon"})
    cache.clear()  # what a Redis restart does to the cache
    response = client.post(
        reverse("account_login"), {"login": prof.username, "password": PASSWORD},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert "_auth_user_id" not in client.session
    assert "Trop de tentatives" in response.text
