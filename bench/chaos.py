"""`make chaos`: the fault and abuse campaign of issue #17, bounded and on loopback only.

A private stack (var/ directory, SQLite, Dovecot, the gateway in this process, a Celery
worker, and a Redis of its own so that it can be killed) takes tagged mail while the worker
is killed, Dovecot stopped and Redis killed; then the same stack meets a password-guessing
run on the submission port and a set of hostile messages opened in every page. It reports
lost and doubled messages, bare 500s, the lock, and a legitimate sender's latency under
attack, into docs/benchmarks-chaos.md (CHAOS_OUTPUT). CHAOS_MESSAGES (default 300).
"""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from bench import environment
from devstack.loopback import free_port, listening


class PrivateRedis:
    """redis-server without persistence, as a cache and broker that can die."""

    def __init__(self, var_dir: Path):
        self.port, self.var_dir, self.process = free_port(), var_dir, None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.process = subprocess.Popen(
            [binary, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
             "--appendonly", "no", "--dir", str(self.var_dir)],
            stdout=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while not listening("127.0.0.1", self.port):
            if time.monotonic() > deadline:
                raise RuntimeError("the campaign's Redis did not start")
            time.sleep(0.05)

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def _prepare() -> tuple[Path, PrivateRedis]:
    var_dir = Path(environment.prepare())
    redis = PrivateRedis(var_dir)
    os.environ.update({
        "REDIS_URL": redis.url,
        # The sweep that finds messages whose task died with Redis or the worker.
        "SPOOL_SWEEP_SECONDS": "2",
        "SPOOL_STALLED_SECONDS": "5",
        "DELIVERY_CLAIM_SECONDS": "10",
        "GATEWAY_SUBMISSIONS_PORT": "0",
    })  # fmt: skip
    return var_dir, redis


def main() -> None:
    var_dir, redis = _prepare()
    started = time.monotonic()
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
