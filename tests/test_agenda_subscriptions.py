"""Subscribing to a public .ics address: fetched through the guarded fetch (a loopback or
private address refused unless the tests' own setting allows loopback), copied into a
read-only calendar that neither the web pages nor a phone can write, refreshed by the beat
job (changed events rewritten, vanished ones removed)."""

import socket
import threading
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from caldav.lib.error import AuthorizationError
from django.test import override_settings

from calendar_app import ical, subscriptions, tasks
from calendar_app.checks import check_subscription_fetch
from calendar_app.models import Subscription
from convergence import safe_fetch
from convergence.safe_fetch import FetchError
from dav.client import dav_session
from tests.agenda_helpers import PARIS, empty_store, phone, vevent  # noqa: F401 - fixture
from tests.conftest import PASSWORD

pytestmark = pytest.mark.usefixtures("empty_store")
FEED = "/vacances.ics"


def _calendar(*events: str) -> bytes:
    body = "".join("BEGIN:VEVENT" + e.split("BEGIN:VEVENT", 1)[1].rsplit("END:VCALENDAR", 1)[0]
                   for e in events)  # fmt: skip
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Rectorat//Vacances//FR\r\n"
            f"{body}END:VCALENDAR\r\n").encode()  # fmt: skip


TOUSSAINT = vevent("toussaint-2026@rectorat", "Vacances de la Toussaint",
                   datetime(2026, 10, 17, 0, 0), datetime(2026, 11, 2, 0, 0))  # fmt: skip
JOURNEE = vevent("journee-2026@rectorat", "Journée pédagogique", datetime(2026, 11, 18, 9),
                 datetime(2026, 11, 18, 12),
                 "BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT15M\r\nDESCRIPTION:x\r\n"
                 "END:VALARM\r\n")  # fmt: skip


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        self.server.hits.append(self.path)
        if self.path == "/vers-le-reseau-interne.ics":
            self.send_response(302)
            self.send_header("Location", "http://10.20.30.40/agenda.ics")
            self.end_headers()
            return
        body = self.server.feed if self.path == FEED else b"<html>pas un agenda</html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/calendar" if self.path == FEED else "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def feed_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.hits, server.feed = [], _calendar(TOUSSAINT, JOURNEE)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    server.url = f"http://127.0.0.1:{server.server_port}"
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def signed_in(client, prof):
    client.force_login(prof)
    return client


@pytest.fixture
def loopback_allowed(settings):
    # The one way the tests serve a feed from this machine; production refuses it (below).
    settings.AGENDA_SUBSCRIPTION_ALLOW_LOOPBACK = True


def _subscribe(client, url: str, name: str = "Vacances scolaires"):
    return client.post("/agenda/abonnements/", {"url": url, "display_name": name,
                                                "color": "#18753c"})  # fmt: skip


def test_an_address_on_this_machine_is_refused_before_any_request(signed_in, feed_server):
    for url in (f"{feed_server.url}{FEED}", f"http://localhost:{feed_server.server_port}{FEED}",
                f"webcal://127.0.0.1:{feed_server.server_port}{FEED}"):  # fmt: skip
        page = _subscribe(signed_in, url).content.decode()
        assert "Cette adresse ne peut pas être utilisée" in page, url
    assert feed_server.hits == []
    assert not Subscription.objects.exists()
    with dav_session("prof.demo") as store:
        assert not [c for c in store.calendars() if c.name.startswith("abonnement")]


def test_a_name_resolving_to_loopback_is_refused(feed_server, monkeypatch):
    port = feed_server.server_port
    monkeypatch.setattr(safe_fetch.socket, "getaddrinfo", lambda *a, **k: [
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))])  # fmt: skip
    with pytest.raises(FetchError, match="non-public"):
        safe_fetch.fetch(f"http://agenda.example:{port}{FEED}", max_bytes=10_000, timeout=2,
                         user_agent="test")  # fmt: skip
    assert feed_server.hits == []


@pytest.mark.usefixtures("loopback_allowed")
def test_loopback_allowed_for_tests_still_refuses_a_redirect_inside(signed_in, feed_server):
    page = _subscribe(signed_in, f"{feed_server.url}/vers-le-reseau-interne.ics")
    assert "Cette adresse ne peut pas être utilisée" in page.content.decode()
    page = _subscribe(signed_in, f"{feed_server.url}/page.html")
    assert "ne donne pas d&#x27;agenda" in page.content.decode()
    assert not Subscription.objects.exists()


def test_production_refuses_to_start_with_loopback_allowed():
    with override_settings(DEBUG=False, DEVELOPMENT=False,
                           AGENDA_SUBSCRIPTION_ALLOW_LOOPBACK=True):  # fmt: skip
        assert [e.id for e in check_subscription_fetch()] == ["calendar_app.E002"]
    with override_settings(DEBUG=False, DEVELOPMENT=False):
        assert check_subscription_fetch() == []


@pytest.mark.usefixtures("loopback_allowed")
def test_subscribe_see_read_only_and_refresh(signed_in, feed_server, live_server):
    assert subscriptions.normalized_url(" webcal://ac.example/v.ics") == "https://ac.example/v.ics"
    response = _subscribe(signed_in, f"{feed_server.url}{FEED}")
    assert response.status_code == 302
    subscription = Subscription.objects.get()
    name = subscription.collection
    assert name.startswith("abonnement--vacances-scolaires")

    week = signed_in.get("/agenda/vue/semaine/?date=2026-11-18").content.decode()
    assert "Journée pédagogique" in week
    with dav_session("prof.demo") as store:
        stored = {r.href: r for r in store.all_resources(name)}
    assert len(stored) == 2 and all("VALARM" not in r.text for r in stored.values())

    # The web pages: no edit, no delete, not among the calendars to create in.
    href = "journee-2026@rectorat.ics"
    detail = signed_in.get(f"/agenda/evenement/{name}/{href}/").content.decode()
    assert "lecture seule" in detail and "/modifier/" not in detail
    assert signed_in.get(f"/agenda/evenement/{name}/{href}/modifier/").status_code == 403
    assert signed_in.post(f"/agenda/evenement/{name}/{href}/supprimer/",
                          {"scope": "all", "etag": stored[href].etag}).status_code == 403
    form = signed_in.get("/agenda/evenement/nouveau/").content.decode()
    assert f'value="{name}"' not in form and 'value="personnel"' in form

    # A phone reads it and cannot write it, whatever it tries.
    client = phone(live_server, "prof.demo", PASSWORD)
    cal = client.calendar(url=f"{live_server.url}/dav/prof.demo/{name}/")
    assert len(cal.search(event=True)) == 2
    url = f"{live_server.url}/dav/prof.demo/{name}/"
    pirate = vevent("pirate@x", "Pirate", datetime(2026, 11, 18, 8), datetime(2026, 11, 18, 9))
    for attempt in (
        lambda: client.put(f"{url}pirate.ics", pirate, {"Content-Type": "text/calendar"}),
        lambda: client.delete(f"{url}{href}"),
        lambda: client.delete(url),
        lambda: client.request(f"{live_server.url}/dav/prof.demo/abonnement--le-mien/",
                               "MKCALENDAR"),
    ):  # fmt: skip
        with pytest.raises(AuthorizationError, match="Forbidden"):
            attempt()
    assert len(cal.search(event=True)) == 2

    # At the source: one event changed, one gone, one new; the beat job brings it in.
    feed_server.feed = _calendar(
        TOUSSAINT.replace("Vacances de la Toussaint", "Vacances d'automne"),
        vevent("noel-2026@rectorat", "Vacances de Noël", datetime(2026, 12, 19),
               datetime(2027, 1, 4)))  # fmt: skip
    Subscription.objects.update(refreshed_at=datetime(2026, 1, 1, tzinfo=PARIS))
    queued = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(subscriptions, "enqueue_on_commit", lambda task, *args: queued.append(
            (task, args)))  # fmt: skip
        assert tasks.refresh_subscriptions() == 1
    assert queued == [("calendar_app.tasks.refresh_subscription", (subscription.pk,))]
    tasks.refresh_subscription(subscription.pk)
    with dav_session("prof.demo") as store:
        stored = store.all_resources(name)
    titles = sorted(str(ical.master(ical.parse(r.text))["SUMMARY"]) for r in stored)
    assert titles == ["Vacances d'automne", "Vacances de Noël"]
    tasks.refresh_subscription(subscription.pk)  # nothing changed: nothing rewritten
    with dav_session("prof.demo") as store:
        assert {r.etag for r in store.all_resources(name)} == {r.etag for r in stored}
    assert "Journée pédagogique" not in signed_in.get(
        "/agenda/vue/semaine/?date=2026-11-18").content.decode()
    assert tasks.refresh_subscriptions() == 0  # just refreshed: nothing due

    # The source down: the events stay, the page says why.
    feed_server.feed = b"plus rien"
    hits = len(feed_server.hits)
    signed_in.post(f"/agenda/abonnements/{name}/actualiser/")  # refreshed a moment ago
    assert len(feed_server.hits) == hits
    Subscription.objects.update(refreshed_at=datetime(2026, 1, 1, tzinfo=PARIS))
    page = signed_in.post(f"/agenda/abonnements/{name}/actualiser/", follow=True)
    assert "ne donne pas d&#x27;agenda" in page.content.decode()
    with dav_session("prof.demo") as store:
        assert len(store.all_resources(name)) == 2

    # Unsubscribing removes the calendar and the subscription.
    signed_in.post(f"/agenda/calendriers/{name}/", {"operation": "delete"})
    assert not Subscription.objects.exists()
    with dav_session("prof.demo") as store:
        assert name not in [c.name for c in store.calendars()]


@pytest.mark.usefixtures("loopback_allowed")
def test_twenty_subscriptions_at_most(signed_in, prof, feed_server):
    Subscription.objects.bulk_create(Subscription(owner=prof, collection=f"abonnement--{n}",
                                                  url="https://example.org/a.ics")
                                     for n in range(subscriptions.MAX_PER_PERSON))  # fmt: skip
    page = _subscribe(signed_in, f"{feed_server.url}{FEED}").content.decode()
    assert "Vous suivez déjà 20 agendas" in page and feed_server.hits == []


def test_someone_elses_subscription_cannot_be_refreshed(signed_in, colleague):
    Subscription.objects.create(owner=colleague, collection="abonnement--x",
                                url="https://example.org/x.ics")  # fmt: skip
    assert signed_in.post("/agenda/abonnements/abonnement--x/actualiser/").status_code == 404
