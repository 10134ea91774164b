"""What a warm week view costs in SQL statements and DAV requests while the index is current,
pinned: a DAV request more or a query per occurrence fails here first
(docs/benchmarks.md, «Where the time goes»)."""

import pytest
from caldav.davclient import DAVClient
from django.db import connection

from calendar_app.index import reindex_collection
from tests.agenda_helpers import empty_store  # noqa: F401 - fixture
from tests.test_agenda_web import _form

pytestmark = pytest.mark.usefixtures("empty_store")
WEEK = "/agenda/semaine/?date=2026-11-16"
# The session's user, the agenda's preferences, the change counts twice (the calendar list's
# cache key, then the index's freshness), the index's state and rows, the calendars shared
# with the person (shares, then functional mailboxes' calendars), the établissement (the school
# calendar's zone), the header's unread notices.
WEEK_SQL = 10
WEEK_DAV: list[str] = []


@pytest.fixture
def costs(monkeypatch):
    seen = {"sql": [], "dav": []}
    request = DAVClient.request

    def dav(self, url, method="GET", *args, **kwargs):
        seen["dav"].append(method)
        return request(self, url, method, *args, **kwargs)

    def sql(execute, statement, params, many, context):
        seen["sql"].append(statement)
        return execute(statement, params, many, context)

    monkeypatch.setattr(DAVClient, "request", dav)
    with connection.execute_wrapper(sql):
        yield seen


def test_a_warm_week_view_asks_the_store_nothing(client, prof, costs):
    client.force_login(prof)
    client.get(WEEK)  # «Personnel» created
    for title, day, frequency in (("Conseil de classe", "2026-11-17", ""),
                                  ("Maths 2nde B", "2026-11-02", "WEEKLY")):  # fmt: skip
        assert client.post("/agenda/evenement/nouveau/", _form(
            title=title, start_date=day, end_date=day, frequency=frequency)).status_code == 302
    reindex_collection(prof.username, "personnel")  # current, as the hook's task leaves it
    for _ in range(2):  # the calendar list's cache, the expansions' cache
        assert client.get(WEEK).status_code == 200
    costs["sql"].clear()
    costs["dav"].clear()
    page = client.get(WEEK).content.decode()
    assert "Conseil de classe" in page and page.count("Maths 2nde B") == 1
    assert (len(costs["sql"]), costs["dav"]) == (WEEK_SQL, WEEK_DAV), costs["sql"]
