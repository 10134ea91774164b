"""`make cluster-test`: a small cluster on loopback. Two nodes, each with its own var
directory, gateway, Celery worker and web process (gunicorn), two Dovecot backends behind a
Dovecot proxy, the test database (PostgreSQL in CI) and Redis. Mail accepted by node A's
gateway is delivered by node B's worker (A's is stopped) and the reverse; both people, on
different backends, read it through either web node with one sign-in, which outlives web A
killed. The nodes are devstack/cluster.py's, as in the kill-at-random campaign of
`make cluster-chaos` (bench/cluster_chaos.py)."""

import http.cookiejar
import re
import smtplib
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from devstack.cluster import common_environment, start_nodes, stop_nodes
from devstack.dovecot import loopback_cluster
from devstack.loopback import free_port
from mail.imap import close_all_sessions
from tests.conftest import (
    PASSWORD,
    build_message,
    inbox_subjects,
    make_person,
    unique_subject,
    wait_for,
)
from tests.servers import database_url

pytestmark = pytest.mark.cluster


@pytest.fixture(scope="module")
def dovecots(django_db_setup):
    stores, proxy = loopback_cluster(Path(settings.VAR_DIR) / "cluster", connection.settings_dict)
    started = []
    try:
        for server in (*stores, proxy):
            server.start()
            started.append(server)
        yield stores, proxy
    finally:
        for server in started:
            server.stop()


@pytest.fixture
def cluster(dovecots, transactional_db, settings):
    stores, proxy = dovecots
    settings.DOVECOT_BACKENDS = list(proxy.config.backends)  # the personas' placement
    common = common_environment(proxy, database_url())
    nodes = start_nodes(Path(settings.VAR_DIR) / "nodes" / f"run-{free_port()}", common)
    try:
        yield nodes, stores, proxy
    finally:
        stop_nodes(nodes)


def _send(port: int, to: str, subject: str) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
        smtp.send_message(build_message(to=to, subject=subject))


class Browser:
    """Cookies and redirects over plain HTTP, as a person's browser going from node to node."""

    def __init__(self):
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def get(self, port: int, path: str) -> str:
        with self.opener.open(f"http://127.0.0.1:{port}{path}", timeout=60) as response:
            return response.read().decode()

    def sign_in(self, port: int, login: str) -> None:
        form = self.get(port, "/comptes/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
        data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "login": login,
                                       "password": PASSWORD}).encode()  # fmt: skip
        request = urllib.request.Request(f"http://127.0.0.1:{port}/comptes/login/", data=data,
                                         headers={"Referer": f"http://127.0.0.1:{port}/"})
        with self.opener.open(request, timeout=60) as response:
            assert "/comptes/login/" not in response.url, "sign-in refused"


def test_mail_crosses_nodes_and_is_read_on_either_web_node(cluster, settings):
    (a, b), stores, proxy = cluster
    prof = make_person("prof.demo")
    colleague = make_person("collegue.demo")

    # Gateway A accepts, only B's worker runs: B delivers, to both backends.
    a.worker.stop()
    first = unique_subject("Réunion A→B")
    _send(a.inbound, f"{prof.email}, {colleague.email}", first)
    wait_for(lambda: "mail.tasks.deliver" in b.worker.log() and all(
        (store.config.mail_root / user).is_dir() for store, user in
        zip(stores, ("prof.demo", "collegue.demo"), strict=True)), timeout=120)  # fmt: skip

    # And the other way: gateway B, A's worker back, B's stopped.
    a.worker.start()
    wait_for(lambda: a.worker.log().count(" ready.") >= 2, timeout=120)
    b.worker.stop()
    second = unique_subject("Réunion B→A")
    _send(b.inbound, colleague.email, second)

    # One sign-in per person, on web A; the same session reads on web B.
    for person, subjects in ((prof, [first]), (colleague, [first, second])):
        browser = Browser()
        browser.sign_in(a.web_port, person.username)
        for node in (a, b):
            for subject in subjects:
                wait_for(lambda n=node, s=subject, b=browser: s in b.get(n.web_port, "/mail/"),
                         timeout=120, interval=1)  # fmt: skip
    assert "mail.tasks.deliver" in a.worker.log()
    # Web A killed outright: the session signed in there goes on on web B.
    a.web.kill()
    assert second in browser.get(b.web_port, "/mail/")
    # Delivered once each, whichever worker and backend (read through the proxy).
    settings.IMAP_HOSTS = [("127.0.0.1", proxy.config.imap_port)]
    close_all_sessions()
    try:
        assert inbox_subjects("prof.demo").count(first) == 1
        assert sorted(inbox_subjects("collegue.demo")) == sorted([first, second])
    finally:
        close_all_sessions()
