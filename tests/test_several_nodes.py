"""Nodes that share no disk: a gateway and a worker, each with its own var directory, meet
only in the database and the broker, here RabbitMQ (CELERY_BROKER_URL=amqp://)."""

import os
import smtplib
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from kombu import Connection

from devstack.loopback import free_port, listening
from devstack.processes import stop_process_group
from mail.models import SpooledMessage
from tests.conftest import build_message, inbox_subjects, unique_subject, wait_for
from tests.servers import database_url

# RabbitMQ runs beside PostgreSQL and Redis on the development machine and in CI.
RABBITMQ_URL = os.environ.get("TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672//")


def _node(var_dir: Path, queue: str, **variables: str) -> dict[str, str]:
    """A node's environment: its own var directory, and what a real node is given (secrets
    and endpoints) rather than what development generates under var/."""
    var_dir.mkdir()
    environment = {
        **os.environ,
        "CONVERGENCE_VAR_DIR": str(var_dir),
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": RABBITMQ_URL,
        "CELERY_QUEUE": queue,
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "NUMEN_HASH_KEY": settings.NUMEN_HASH_KEY,
        "DOVECOT_MASTER_SECRET": settings.DOVECOT_MASTER_SECRET,
        "CALDAV_MASTER_SECRET": settings.CALDAV_MASTER_SECRET,
        "DJANGO_ALLOWED_HOSTS": "convergence.ac-demo.test",  # DEBUG is off, as in production
        "LMTP_SOCKET": settings.LMTP_SOCKET,
        "TLS_CERT_FILE": "",
        "TLS_KEY_FILE": "",
        "GATEWAY_SUBMISSIONS_PORT": "0",
        **variables,
    }
    # The suite's own settings, which a production start refuses (convergence/checks.py).
    for name in ("DJANGO_ALLOW_ASYNC_UNSAFE", "PASSWORD_ARGON2_TIME_COST",
                 "PASSWORD_ARGON2_MEMORY_KIB"):
        environment.pop(name, None)
    return environment


def _start(command: list[str], environment: dict, log: Path) -> subprocess.Popen:
    with log.open("ab") as output:
        return subprocess.Popen(command, cwd=settings.BASE_DIR, env=environment, stdout=output,
                                stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip


def _files_holding(folder: Path, needle: bytes) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and needle in p.read_bytes()]


@pytest.fixture
def queue():
    """A queue of this test's own on the shared RabbitMQ, deleted afterwards."""
    name = f"convergence-test-{uuid.uuid4().hex}"
    yield name
    with Connection(RABBITMQ_URL, connect_timeout=5) as connection:
        connection.default_channel.queue_delete(name)


def test_gateway_and_worker_without_shared_disk_over_rabbitmq(tmp_path, queue, prof, dovecot):
    port = free_port()
    gateway_dir, worker_dir = tmp_path / "gateway-node", tmp_path / "worker-node"
    gateway_env = _node(gateway_dir, queue, GATEWAY_INBOUND_PORT=str(port),
                        GATEWAY_SUBMISSION_PORT=str(free_port()))  # fmt: skip
    worker_env = _node(worker_dir, queue)
    worker_log = tmp_path / "worker.log"
    processes = [
        _start([sys.executable, "manage.py", "rungateway"], gateway_env, tmp_path / "gateway.log"),
        _start([sys.executable, "-m", "celery", "-A", "convergence", "worker", "--pool",
                "threads", "--concurrency", "2", "--loglevel", "INFO", "--without-mingle",
                "--without-gossip"], worker_env, worker_log),
    ]  # fmt: skip
    try:
        wait_for(lambda: b" ready." in worker_log.read_bytes(), timeout=90)
        assert b"Connected to amqp://" in worker_log.read_bytes()
        wait_for(lambda: listening(settings.GATEWAY_HOST, port), timeout=60)

        subject = unique_subject("Conseil pédagogique")
        with smtplib.SMTP(settings.GATEWAY_HOST, port, timeout=10) as smtp:
            smtp.send_message(build_message(to=prof.email, subject=subject))
        wait_for(lambda: subject in inbox_subjects("prof.demo"))
        wait_for(lambda: SpooledMessage.objects.get(recipients=[prof.email]).status != "pending")
    finally:
        for process in processes:
            stop_process_group(process)
    spooled = SpooledMessage.objects.get(recipients=[prof.email])
    assert spooled.status == SpooledMessage.Status.DELIVERED and spooled.attempts == 1
    assert not spooled.chunks.exists()
    assert b"Task mail.tasks.deliver[" in worker_log.read_bytes()  # came through RabbitMQ
    # Neither node kept the message on its own disk: it went through the database.
    token = subject.rsplit(" ", 1)[1].encode()  # the subject's unique part, in ASCII
    assert not _files_holding(gateway_dir, token)
    assert not _files_holding(worker_dir, token)
