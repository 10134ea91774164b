"""`make chaos`: the fault and abuse campaign of issue #17, bounded and on loopback only.

A private stack (var/ directory, SQLite, Dovecot, the gateway in this process, a Celery
worker and beat apart, and a Redis of its own so that it can be killed) takes tagged mail
while the worker is killed, Dovecot stopped and Redis killed; scheduled messages fall due
while beat is killed twice (bench/chaos_beat.py); then the same stack meets a password-guessing
run on the submission port, a set of hostile messages opened in every page, a storm of 30
sign-ins on gunicorn, and gunicorn's workers killed while messages are sent from the compose
page (bench/chaos_web.py). It reports lost and doubled messages, bare 500s, the lock, the web
processes' memory, and a legitimate sender's latency under attack, into
docs/benchmarks-chaos.md. CHAOS_MESSAGES (default 300). A SIGTERM stops every server it
started before it ends.
"""

import os
import shutil
import sys
import time
from pathlib import Path

from bench import environment
from devstack.processes import RedisServer, stop_children_on_sigterm


def _prepare() -> tuple[Path, RedisServer]:
    var_dir = Path(environment.prepare())
    redis = RedisServer(var_dir)
    os.environ.update({
        "REDIS_URL": redis.url,
        # The sweep that finds messages whose task died with Redis or the worker.
        "SPOOL_SWEEP_SECONDS": "2",
        "SCHEDULED_SEND_SWEEP_SECONDS": "2",  # beat's kills: scheduled messages fall due
        "SPOOL_STALLED_SECONDS": "5",
        "DELIVERY_CLAIM_SECONDS": "10",
        "GATEWAY_SUBMISSIONS_PORT": "0",
        "WORKING_HOURS": "",  # messages sent from the web leave at once, whatever the hour
    })  # fmt: skip
    return var_dir, redis


def main() -> None:
    var_dir, redis = _prepare()
    started = time.monotonic()
    stop_children_on_sigterm()  # a campaign stopped by SIGTERM leaves no server behind
    redis.start()
    try:
        import django

        django.setup()
        from bench import chaos_campaign

        chaos_campaign.run(var_dir, redis, int(os.environ.get("CHAOS_MESSAGES", "300")))
    finally:
        redis.kill()
        shutil.rmtree(var_dir, ignore_errors=True)
        print(f"make chaos took {time.monotonic() - started:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
