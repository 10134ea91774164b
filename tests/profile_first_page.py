"""Where the first inbox page after sign-in spends its time, as `make bench` measures it
(bench/scenarios.py, ``first_inbox``): not a test, a profile, run by name only:

    PROFILE_MESSAGES=2000 PROFILE_RUNS=10 .venv/bin/python -m pytest -q -s -p no:randomly \\
        tests/profile_first_page.py

A person of their own gets PROFILE_MESSAGES messages of the bench's corpus. Each run empties
the IMAP pool, signs a new test client in as the bench does (untimed), then requests the
inbox with every IMAP command, SQL statement and cache call counted and timed, and its
Python calls counted (one more run, under ``sys.setprofile``); the raw IMAP floor of the same
run (bench/floor.py, ``first_page``) beside it. PROFILE_OLD_LOGIN=1 signs in as the bench
did before (``Client.login``); PROFILE_CPROFILE=1 adds cProfile's view of one more request.
The counts are exact; the times depend on the machine's load.
"""

import collections
import cProfile
import imaplib
import os
import pstats
import statistics
import time
import uuid

import imapclient
import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.urls import reverse

from bench import corpus, floor, stack, webmail
from bench.stack import Person
from mail.imap import close_all_sessions
from mail.transport.lmtp import lmtp_deliver
from tests.call_count import counted
from tests.conftest import make_person

pytestmark = pytest.mark.usefixtures("mail_stack")


class Timed:
    """Wall time and count per label, for the IMAP commands, the SQL and the cache."""

    def __init__(self):
        self.seen = collections.defaultdict(list)

    def wrap(self, owner, name, label):
        original = getattr(owner, name)

        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seen[label(*args, **kwargs)].append(time.perf_counter() - start)

        return original, timed


def sign_in(user) -> Client:
    """As the bench signs in (bench/webmail.py); PROFILE_OLD_LOGIN=1: as it did before the
    fourth pass, with ``Client.login``, which does not go through the handler."""
    if not os.environ.get("PROFILE_OLD_LOGIN"):
        return webmail.fresh_login(Person(user, user.personal_mailbox))
    close_all_sessions()
    client = Client(HTTP_HOST=webmail.HOST)
    assert client.login(username=user.username, password=stack.PASSWORD)
    return client


def imap_label(self, name, *args):
    return f"IMAP {args[0] if name == 'UID' else name}"


def test_profile_first_page(monkeypatch):
    person = make_person(f"premier.{uuid.uuid4().hex[:8]}")
    person.set_password(stack.PASSWORD)  # the bench's sign-in
    person.save()
    for index in range(int(os.environ.get("PROFILE_MESSAGES", "300"))):
        raw = corpus.build(index, person.email).raw
        lmtp_deliver(raw, mail_from="bench@example.org", imap_users=[person.username])
    url = reverse("mail:folder", args=[person.personal_mailbox.id, "INBOX"])
    sign_in(person).get(url)  # the list cache, as after the bench's first sample
    timed = Timed()
    for owner, name, label in (
        (imaplib.IMAP4, "_command", imap_label),
        (imapclient.IMAPClient, "_raw_command", lambda self, n, *a, **k: f"IMAP {n.decode()}"),
        (imapclient.IMAPClient, "__init__", lambda *a, **k: "IMAP connect"),
        (imapclient.IMAPClient, "login", lambda *a, **k: "IMAP LOGIN (whole)"),
        (type(caches["default"]), "get", lambda *a, **k: "cache get"),
        (type(caches["default"]), "get_many", lambda *a, **k: "cache get_many"),
        (type(caches["default"]), "set", lambda *a, **k: "cache set"),
        (type(caches["default"]), "set_many", lambda *a, **k: "cache set_many"),
    ):
        monkeypatch.setattr(owner, name, timed.wrap(owner, name, label)[1])

    statements = []

    def sql(execute, statement, params, many, context):
        statements.append(statement[:160])
        start = time.perf_counter()
        try:
            return execute(statement, params, many, context)
        finally:
            timed.seen["SQL " + statement.split('"')[0].strip()[:12] + " "
                       + (statement.split('"')[1] if '"' in statement else "")].append(
                time.perf_counter() - start)  # fmt: skip

    runs = int(os.environ.get("PROFILE_RUNS", "10"))
    walls, floors = [], []
    for _ in range(runs + 1):
        client = sign_in(person)
        timed.seen.clear()
        statements.clear()
        start = time.perf_counter()
        with connection.execute_wrapper(sql):
            assert client.get(url).status_code == 200
        walls.append(time.perf_counter() - start)
        per_request = {k: (len(v), sum(v)) for k, v in timed.seen.items()}
        start = time.perf_counter()
        floor.first_page(person.username)
        floors.append(time.perf_counter() - start)
    client = sign_in(person)
    _, calls = counted(client.get, url)
    if os.environ.get("PROFILE_CPROFILE"):  # where the calls are, by function
        client = sign_in(person)
        profiler = cProfile.Profile()
        profiler.runcall(client.get, url)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    walls, floors = walls[1:], floors[1:]
    print(f"\n== first inbox page after sign-in, {runs} runs: median "
          f"{statistics.median(walls) * 1000:.1f} ms, floor median "
          f"{statistics.median(floors) * 1000:.1f} ms; {calls} Python calls")  # fmt: skip
    print("   (last run) SQL:", *statements, sep="\n     ")
    print("   (last run) count, total ms:")
    for label, (n, total) in sorted(per_request.items(), key=lambda kv: -kv[1][1]):
        print(f"   {n:3d} {total * 1000:8.1f}  {label}")
