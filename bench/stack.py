"""The bench's own database rows and Dovecot, built with the project's models and runner."""

import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import redis
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from accounts.models import User
from devstack.dovecot import DovecotServer, configured_server
from directory.models import Etablissement
from mail.models import Mailbox

PASSWORD = "Bench-Convergence-2026"  # noqa: S105 - a throwaway account of the bench


@dataclass(frozen=True)
class Person:
    user: User
    mailbox: Mailbox

    @property
    def login(self) -> str:
        return self.user.username


def migrate() -> None:
    call_command("migrate", verbosity=0, interactive=False)


def make_person(login: str) -> Person:
    """An active teacher with a personal mailbox, as tests/conftest.py's make_person (a
    leftover of an interrupted run on a BENCH_DATABASE_URL is replaced)."""
    User.objects.filter(username=login).delete()
    etablissement, _ = Etablissement.objects.get_or_create(
        uai="0311234Y", defaults={"name": "Lycée Pierre-de-Fermat", "kind": "lycee"}
    )
    user = User.objects.create_user(
        username=login,
        email=f"{login}@{settings.MAIL_DOMAIN}",
        password=PASSWORD,
        category=User.Category.TEACHER_SECONDARY,
        etablissement=etablissement,
        first_name="Camille",
        last_name=f"Banc d'essai {login.rsplit('.', 1)[-1]}",
    )
    mailbox = Mailbox.objects.create(
        address=user.email,
        imap_user=login,
        display_name=user.get_full_name(),
        kind=Mailbox.Kind.PERSONAL,
        owner=user,
    )
    return Person(user=user, mailbox=mailbox)


def dovecot() -> DovecotServer:
    return configured_server(connection.settings_dict)


def maildir_files(server: DovecotServer, person: Person):
    """Every message file of the person's Maildir, read from disk (not through Dovecot)."""
    for path in (server.config.mail_root / person.login / "Maildir").rglob("*"):
        if path.parent.name in ("cur", "new") and path.is_file():
            yield path


def cpu_ticks(group: int) -> int:
    """CPU time used so far by every process of a process group (Dovecot's)."""
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            fields = Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group:  # pgrp
            total += int(fields[11]) + int(fields[12])  # utime + stime
    return total


def wait_quiet(server: DovecotServer, timeout: float = 120.0) -> None:
    """Until Dovecot is idle: a move queues full-text indexing (fts_autoindex) that would
    otherwise run during the next measurement."""
    if server.process is None:
        return
    deadline = time.monotonic() + timeout
    before, quiet = cpu_ticks(server.process.pid), 0
    while time.monotonic() < deadline and quiet < 2:
        time.sleep(0.15)
        now = cpu_ticks(server.process.pid)
        quiet = quiet + 1 if now - before <= 1 else 0  # at most one 10 ms tick
        before = now


def forget(person: Person) -> None:
    """Remove the bench account (it matters only on a BENCH_DATABASE_URL; one the audit log
    mentions is disabled instead) and the bench's keys in its Redis database; a failure
    here is reported, never raised."""
    try:
        if person.user.events.exists():
            # The audit log is append-only and keeps its accounts: disable this one instead.
            person.mailbox.delete()
            User.objects.filter(pk=person.user.pk).update(
                is_active=False, status=User.Status.DISABLED
            )
        else:
            person.user.delete()
        prefix = f"{settings.CACHES['default'].get('KEY_PREFIX', '')}:"
        client = redis.Redis.from_url(settings.REDIS_URL)
        keys = list(client.scan_iter(match=f"{prefix}*", count=500))
        if keys:
            client.delete(*keys)
    except Exception as exc:  # the results matter more than the tidying
        print(f"Could not remove the bench's account or cache keys: {exc}", file=sys.stderr)
