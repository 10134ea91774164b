"""`make cluster-chaos`: issue #18's campaign on loopback. Two nodes (devstack/cluster.py: a
gateway, a Celery worker with its beat and a gunicorn each, their own var directories), two
Dovecot backends behind a Dovecot proxy, a PostgreSQL database made for the run and a private
Redis. Every person signs in on the web, half on each node; then CLUSTER_CHAOS_MESSAGES (default
1000) tagged messages go to CLUSTER_CHAOS_USERS people (default 200, at most one per 5
messages), half of them on each backend, through either gateway (the other one when it does not
answer, as a mail server tries its next MX), while one node, drawn from CLUSTER_CHAOS_SEED
(printed; random when unset), is lost whole: its worker with its beat, its gateway and its web
process killed (SIGKILL) at one moment or three, drawn from the seed too. Then each INBOX is
read over IMAP through the proxy (lost, doubled, stray), every person's session reads their
INBOX on the web node left, then, the killed web process started again, on both. Results go into
docs/benchmarks-chaos.md (its cluster section); the command fails when a message is lost or
doubled or a reading fails. CLUSTER_DATABASE_URL (default DATABASE_URL, else
postgres://postgres@127.0.0.1:5432/postgres): the PostgreSQL server where the run's database is
created, then dropped."""

import os
import random
import shutil
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse, urlunparse

from bench import environment
from devstack.processes import RedisServer, stop_children_on_sigterm


def _server_url() -> str:
    url = os.environ.get("CLUSTER_DATABASE_URL") or os.environ.get("DATABASE_URL") or ""
    url = url or "postgres://postgres@127.0.0.1:5432/postgres"
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("make cluster-chaos needs PostgreSQL: set CLUSTER_DATABASE_URL")
    return url


def _database(server_url: str, name: str, create: bool) -> str:
    """The URL of database ``name`` on that server, created (or dropped) first."""
    import psycopg

    admin = urlunparse(urlparse(server_url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        if create:
            connection.execute(f'CREATE DATABASE "{name}"')
        else:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return urlunparse(urlparse(server_url)._replace(path=f"/{name}"))


def _sizes() -> tuple[int, int, int]:
    messages = int(os.environ.get("CLUSTER_CHAOS_MESSAGES", "1000"))
    users = int(os.environ.get("CLUSTER_CHAOS_USERS", "0")) or min(200, max(2, messages // 5))
    seed = os.environ.get("CLUSTER_CHAOS_SEED")
    if messages < 20 or users < 2:
        raise SystemExit("CLUSTER_CHAOS_MESSAGES ≥ 20 and CLUSTER_CHAOS_USERS ≥ 2")
    return messages, users, int(seed) if seed else random.SystemRandom().randrange(2**32)


def main() -> None:
    messages, users, seed = _sizes()
    print(f"Seed {seed}: CLUSTER_CHAOS_SEED={seed} replays these kills", flush=True)
    server_url = _server_url()
    var_dir = Path(environment.prepare())
    name = f"convergence_cluster_chaos_{uuid.uuid4().hex[:8]}"
    redis = RedisServer(var_dir)
    os.environ.update({
        "DATABASE_URL": _database(server_url, name, create=True),
        "REDIS_URL": redis.url,
        # The surviving beat finds, within seconds, the messages a killed worker held.
        "SPOOL_SWEEP_SECONDS": "2",
        "SPOOL_STALLED_SECONDS": "5",
        "DELIVERY_CLAIM_SECONDS": "10",
    })  # fmt: skip
    started = time.monotonic()
    stop_children_on_sigterm()  # a campaign stopped by SIGTERM leaves no server behind
    redis.start()
    try:
        import django

        django.setup()
        from bench import cluster_campaign

        proven = cluster_campaign.run(var_dir, messages, users, seed, started)
    finally:
        redis.kill()
        from django.db import connections

        connections.close_all()
        _database(server_url, name, create=False)
        shutil.rmtree(var_dir, ignore_errors=True)
        print(f"make cluster-chaos took {time.monotonic() - started:.0f} s", file=sys.stderr)
    if not proven:
        raise SystemExit("cluster-chaos: a message lost or doubled, or a reading failed")


if __name__ == "__main__":
    main()
