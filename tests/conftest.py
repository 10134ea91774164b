"""Shared fixtures: real Dovecot, gateway and Celery worker, and the demo personas."""

import smtplib
import time
import uuid
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

from accounts.models import User
from directory.models import Etablissement
from mail.gateway.server import build_controllers
from mail.imap import close_all_sessions, imap_session
from mail.models import Mailbox
from tests.servers import Worker, test_dovecot

PASSWORD = "Demo-Convergence-2026"


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


@pytest.fixture(scope="session")
def dovecot(django_db_setup, django_db_blocker):
    server = test_dovecot()
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


@pytest.fixture
def mail_stack(transactional_db, dovecot, gateway, worker):
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


def send_inbound(message: EmailMessage, *, to: list[str] | None = None) -> dict:
    with smtplib.SMTP(settings.GATEWAY_HOST, settings.GATEWAY_INBOUND_PORT, timeout=10) as smtp:
        return smtp.send_message(message, to_addrs=to)


def inbox_subjects(imap_user: str) -> list[str]:
    with imap_session(imap_user) as box:
        page = box.list_page("INBOX", page=1, page_size=200)
    return [envelope.subject for envelope in page.envelopes]


def wait_for(predicate, timeout: float = 30, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s")
