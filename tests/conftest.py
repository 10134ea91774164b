"""Shared fixtures: real Dovecot, gateway and Celery worker, and the demo personas."""

import re
import shutil
import smtplib
import subprocess
import sys
import threading
import time
import uuid
import zipfile
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyotp
import pytest
import redis
from allauth.mfa.totp.internal.auth import TOTP
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.db import connection
from django.urls import reverse
from playwright.sync_api import expect, sync_playwright

from accounts.models import User
from devstack.processes import stop_children_on_sigterm
from devstack.spamd import SpamdServer
from directory import school_calendar
from directory.models import Etablissement
from mail.imap import MailStoreUnavailable, close_all_sessions, imap_session
from mail.models import Mailbox
from mail.pipeline.gateway import build_controllers
from mail.transport.lmtp import lmtp_deliver
from tests import emptying
from tests.servers import Worker, test_dovecot

PASSWORD = "Demo-Convergence-2026"


def pytest_configure(config):
    # A run stopped by SIGTERM (a CI's timeout, kill) stops Dovecot, the worker, Radicale and
    # spamd first, then unwinds like Ctrl-C: the fixtures' teardown would not run otherwise.
    stop_children_on_sigterm(KeyboardInterrupt)


# What a failed test's report carries from the servers it ran against: a connection Dovecot
# closed, or a task that failed in the worker, is explained in their logs, which the run's
# temporary folder takes away at exit.
SERVER_LOG_TROUBLE = re.compile(r"error|fatal|panic|killed|traceback|critical", re.IGNORECASE)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.failed and {"dovecot", "worker"} & set(getattr(item, "fixturenames", ())):
        dovecot_log = settings.DOVECOT_LOG_PATH or Path(settings.DOVECOT_DIR) / "dovecot.log"
        for name, path in (("Dovecot", Path(dovecot_log)),
                           ("worker", Path(settings.VAR_DIR) / "worker.log")):  # fmt: skip
            if path.exists():
                lines = path.read_text(errors="replace").splitlines()
                trouble = [line for line in lines if SERVER_LOG_TROUBLE.search(line)]
                report.sections.append((f"{name} log, lines of trouble", "\n".join(trouble[-40:])))
    return report


emptying.install()


@pytest.fixture(scope="session", autouse=True)
def _end_stray_db_sessions(django_db_setup, django_db_blocker):
    """Gateway threads, Dovecot and the worker hold connections; end them so the test
    database can be dropped at the end of the run."""
    yield
    if connection.vendor == "postgresql":
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )


@pytest.fixture(autouse=True)
def _fresh_lockout_counters():
    """Every test signs in from 127.0.0.1: the sign-ins of the whole suite must not add up to
    allauth's per-IP rate limit. (The lockout's own counters are rows of the test database.)"""
    client = redis.Redis.from_url(settings.REDIS_URL)
    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    for key in client.scan_iter(match=f"*{prefix}*allauth:rl:*"):
        client.delete(key)


NOT_SHIPPED = shutil.ignore_patterns(
    ".git", ".venv", "var", "build", "dist", "*.egg-info", "__pycache__", "node_modules",
    "test-artifacts", ".pytest_cache", ".ruff_cache",
)  # fmt: skip


@pytest.fixture(scope="session")
def wheel_files(tmp_path_factory) -> set[str]:
    """The files of the project's wheel (what deploy/Dockerfile installs), built once per run
    from a copy of the checkout, so no earlier build/ directory can fill a gap."""
    source = tmp_path_factory.mktemp("source")
    shutil.copytree(settings.BASE_DIR, source, dirs_exist_ok=True, ignore=NOT_SHIPPED)
    dist = tmp_path_factory.mktemp("dist")
    build = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist)],
        cwd=source, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert build.returncode == 0, build.stdout + build.stderr
    (wheel,) = dist.glob("convergence-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


@pytest.fixture(scope="session")
def dovecot(django_db_setup, django_db_blocker, live_server):
    # Dovecot asks the live server's policy endpoint about each login (accounts/mail_logins.py).
    server = test_dovecot(live_server.url + reverse("accounts:dovecot_policy"))
    server.start()
    yield server
    close_all_sessions()
    server.stop()


@pytest.fixture(scope="session")
def gateway(django_db_setup):
    controllers = build_controllers(settings.GATEWAY_INBOUND_PORT, settings.GATEWAY_SUBMISSION_PORT)
    for controller in controllers:
        controller.start()
    yield controllers
    for controller in controllers:
        controller.stop()


@pytest.fixture(scope="session")
def worker(django_db_setup, dovecot):
    redis.Redis.from_url(settings.REDIS_URL).flushdb()
    process = Worker(Path(settings.VAR_DIR) / "worker.log")
    process.start()
    yield process
    process.stop()


@pytest.fixture(scope="session")
def spamd():
    server = SpamdServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mail_stack(transactional_db, dovecot, gateway, worker, spamd):
    """Everything a message needs to travel from SMTP to the inbox page."""
    yield
    close_all_sessions()


def make_person(login: str, category=User.Category.TEACHER_SECONDARY, **extra) -> User:
    etablissement, _ = Etablissement.objects.get_or_create(
        uai="0311234Y", defaults={"name": "Lycée Pierre-de-Fermat", "kind": "lycee"}
    )
    user = User.objects.create_user(
        username=login,
        email=f"{login}@{settings.MAIL_DOMAIN}",
        password=PASSWORD,
        category=category,
        etablissement=etablissement,
        first_name=extra.pop("first_name", login.split(".")[0].title()),
        last_name=extra.pop("last_name", "Démo"),
        **extra,
    )
    Mailbox.objects.create(
        address=user.email,
        imap_user=login,
        display_name=user.get_full_name(),
        kind=Mailbox.Kind.PERSONAL,
        owner=user,
    )
    return user


@pytest.fixture
def prof(transactional_db):
    return make_person("prof.demo", first_name="Camille", last_name="Martin")


@pytest.fixture
def colleague(transactional_db):
    return make_person("collegue.demo", first_name="Louis", last_name="Bernard")


def unique_subject(prefix: str = "Conseil de classe") -> str:
    return f"{prefix} {uuid.uuid4().hex[:10]}"


def build_message(
    *,
    to: str,
    subject: str,
    body: str = "Bonjour,\n\nÀ bientôt.\n",
    sender: str = "famille.durand@example.org",
    date: datetime | None = None,
) -> EmailMessage:
    message = EmailMessage()
    message["Date"] = format_datetime(date or datetime.now(UTC))
    message["From"] = f"Famille Durand <{sender}>"
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = f"<{uuid.uuid4().hex}@example.org>"
    message.set_content(body)
    return message


def deliver(user: User, message: EmailMessage) -> None:
    """Straight into the user's INBOX with the pipeline's own LMTP step (no gateway, no wait)."""
    outcome = lmtp_deliver(
        message.as_bytes(), mail_from="test@example.org", imap_users=[user.username]
    )
    assert outcome.delivered == [user.username], outcome


def uid_of(user: User, subject: str, folder: str = "INBOX") -> int:
    with imap_session(user.username) as box:
        page = box.list_page(folder, page=1, page_size=500)
    return next(e.uid for e in page.envelopes if e.subject == subject)


def send_inbound(message: EmailMessage, *, to: list[str] | None = None) -> dict:
    with smtplib.SMTP(settings.GATEWAY_HOST, settings.GATEWAY_INBOUND_PORT, timeout=10) as smtp:
        return smtp.send_message(message, to_addrs=to)


def inbox_subjects(imap_user: str) -> list[str]:
    # A pooled connection that an earlier test's Dovecot restart closed fails once and is
    # dropped (mail.imap.pool): the pool may hold a few, the next ones are fresh.
    for _attempt in range(3):
        try:
            return _inbox_subjects(imap_user)
        except MailStoreUnavailable:
            continue
    return _inbox_subjects(imap_user)


def _inbox_subjects(imap_user: str) -> list[str]:
    with imap_session(imap_user) as box:
        page = box.list_page("INBOX", page=1, page_size=200)
    return [envelope.subject for envelope in page.envelopes]


def empty_inbox(user: User) -> None:
    """For a test that reads the list's first page: the persona mailboxes live as long as the
    worker's Dovecot, and older tests' mail (some dated in the future) would push this test's
    own off that page. To the Trash, as the webmail deletes."""
    with imap_session(user.username) as box:
        while uids := [e.uid for e in box.list_page("INBOX", page=1, page_size=500).envelopes]:
            box.delete("INBOX", uids)


def wait_for(predicate, timeout: float = 60, interval: float = 0.2):
    """The predicate's first true answer. A connection Dovecot dropped while it read counts as
    not yet: Dovecot's imap process can panic on the folder list's lock («Resource deadlock
    avoided») when a brand-new mailbox is read while its first delivery creates its folders,
    and the next look is fine. Still dropped at the deadline: that error is raised."""
    deadline = time.monotonic() + timeout
    dropped = None
    while time.monotonic() < deadline:
        try:
            result = predicate()
        except MailStoreUnavailable as exc:
            dropped, result = exc, None
        if result:
            return result
        time.sleep(interval)
    if dropped is not None:
        raise dropped
    raise AssertionError(f"condition not met within {timeout}s")


def wait_for_runs(task: str, count: int = 2, timeout: float = 30) -> None:
    """Until the test worker has finished ``task`` (a beat sweep) ``count`` more times: what a
    sweep would do wrong, it has then had the chance to do."""
    log = Path(settings.VAR_DIR) / "worker.log"
    finished = re.compile(rf"Task {re.escape(task)}\[[^\]]+\] succeeded")

    def runs() -> int:
        return len(finished.findall(log.read_text(errors="replace")))

    target = runs() + count
    wait_for(lambda: runs() >= target, timeout=timeout)


# --- Browser and remote-image fixtures ----------------------------------------------------

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture
def page():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        context = browser.new_context(locale="fr-FR")
        yield context.new_page()
        context.close()
        browser.close()


def phone_of(user: User) -> pyotp.TOTP:
    """Two-step verification turned on for ``user`` (IT support must have it), and the code
    application of their phone."""
    secret = pyotp.random_base32()
    TOTP.activate(user, secret)
    return pyotp.TOTP(secret)


def sign_in_to_inbox(page, live_server, login: str = "prof.demo") -> None:
    """Through the sign-in form, as a person does, until the inbox shows."""
    page.goto(f"{live_server.url}/")
    page.get_by_label("Identifiant académique ou adresse électronique").fill(login)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Boîte de réception")
    # The heading shows while the page is still loading; the list's scripts (drag and drop,
    # shortcuts) and the design system's, which lays the menu out, run later: a test that
    # drags before then can drop on a moving target.
    page.wait_for_load_state("load")


def sign_in_with_code(page, login: str, phone: pyotp.TOTP) -> None:
    """On the sign-in page: password, then the phone's code."""
    page.get_by_label("Identifiant académique ou adresse électronique").fill(login)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_label("Code").fill(phone.now())
    page.get_by_role("button", name="Se connecter").click()


def assert_accessible(page) -> None:
    results = Axe().run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, results.generate_report()


PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa75\x81\x84"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def image_server():
    """A remote image host on loopback; records whether anyone fetched from it."""
    hits = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.headers.get("Cookie"))
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            self.wfile.write(PNG)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", hits
    server.shutdown()


def html_message(to: str, subject: str, image_url: str) -> EmailMessage:
    message = build_message(to=to, subject=subject, body="Version texte.")
    message.add_alternative(
        f"<p>Bonjour <b>Camille</b>,</p><script>alert(1)</script>"
        f'<p><img src="{image_url}/pixel.png" alt="logo"> <img src="cid:signature@x" alt="sig"></p>'
        f'<p><a href="https://hameconnage.example/login">https://www.ac-demo.test</a></p>',
        subtype="html",
    )
    message.get_payload()[1].add_related(PNG, "image", "png", cid="<signature@x>")
    return message


# --- Agenda: Radicale with the plugins of dav/, on the test database --------------------


@pytest.fixture(scope="session")
def radicale(django_db_setup, django_db_blocker):
    from devstack.radicale import RadicaleServer
    from tests.servers import database_url

    server = RadicaleServer(env={"DATABASE_URL": database_url()})
    server.start()
    yield server
    server.stop()


@pytest.fixture
def holidays_copy(settings, tmp_path):
    """A copy of the school holidays' file, for tests that import into it."""
    copy = tmp_path / "vacances.json"
    shutil.copy(school_calendar.DATA / "vacances_scolaires.json", copy)
    settings.SCHOOL_HOLIDAYS_FILE = str(copy)
    return copy
