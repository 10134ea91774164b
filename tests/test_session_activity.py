"""The sessions page's «last seen» without a database write on every request."""

import pytest
from allauth.usersessions.models import UserSession
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import session_activity
from tests.conftest import PASSWORD, make_person

pytestmark = pytest.mark.django_db(transaction=True)
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"
IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Version/17.0 Safari/604.1"


def session_writes(client, **headers) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("accounts:preferences"), **headers).status_code == 200
    return [q["sql"] for q in queries if "usersessions_usersession" in q["sql"]]


@pytest.fixture
def clock(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(session_activity, "monotonic", lambda: now[0])
    return now


def test_last_seen_written_once_a_minute_and_at_once_from_another_browser(clock):
    prof = make_person("prof.demo")
    browser = Client(HTTP_USER_AGENT=FIREFOX)
    browser.post(reverse("account_login"), {"login": "prof.demo", "password": PASSWORD})
    row = UserSession.objects.get(user=prof)
    seen = row.last_seen_at

    # The sign-in has just written the row: the first page does not write it again.
    assert session_writes(browser) == []
    assert session_writes(browser) == []
    clock[0] += 59
    assert session_writes(browser) == []
    assert UserSession.objects.get(pk=row.pk).last_seen_at == seen

    clock[0] += 2
    assert any(sql.startswith("UPDATE") for sql in session_writes(browser))
    assert UserSession.objects.get(pk=row.pk).last_seen_at > seen
    # The same cookie from another browser (or address) is written at once.
    assert any(sql.startswith("UPDATE") for sql in session_writes(browser, HTTP_USER_AGENT=IPHONE))
    assert UserSession.objects.get(pk=row.pk).user_agent == IPHONE
    assert any(
        sql.startswith("UPDATE") for sql in session_writes(browser, REMOTE_ADDR="192.0.2.10")
    )
    assert UserSession.objects.get(pk=row.pk).ip == "192.0.2.10"
