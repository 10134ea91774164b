"""A small cluster on loopback: nodes that share nothing on disk (each its own var directory
with a gateway, a Celery worker and a web process), two Dovecot backends behind a Dovecot
proxy, one database and one Redis. Started by `make cluster-test` (tests/test_cluster.py)
and `make cluster-chaos` (bench/cluster_chaos.py)."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings

from devstack.dovecot import DovecotServer
from devstack.loopback import free_port, listening
from devstack.processes import spawn, stop_process_group


def wait_until(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not after {timeout:.0f} s")
        time.sleep(0.1)


class Process:
    """One process of a node, in its own process group, logging under the node's var dir."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], var_dir: Path):
        self.name, self.argv, self.env = name, argv, env
        self.log_path = var_dir / f"{name}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.log_path, "ab") as log:
            self.process = spawn(self.argv, cwd=settings.BASE_DIR, env=self.env, stdout=log,
                                 stderr=subprocess.STDOUT)  # fmt: skip

    def stop(self) -> None:
        stop_process_group(self.process)
        self.process = None

    def kill(self) -> None:
        """SIGKILL to the whole group, as a node lost outright."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(30)
        self.stop()  # forgotten by stop_children_on_sigterm

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


class Node:
    """A gateway, a worker (with its beat when ``beat``: two beats claim each run) and a web
    process (gunicorn, one process) sharing nothing on disk with the other nodes: the spool
    and the files sent as links are in the database."""

    def __init__(self, name: str, base: Path, common: dict[str, str], beat: bool = False):
        self.name = name
        self.var_dir = base / name
        self.var_dir.mkdir(parents=True)
        self.inbound, self.web_port = free_port(), free_port()
        env = {**os.environ, **common, "CONVERGENCE_VAR_DIR": str(self.var_dir),
               "GATEWAY_INBOUND_PORT": str(self.inbound),
               "GATEWAY_SUBMISSION_PORT": str(free_port()),
               "GATEWAY_SUBMISSIONS_PORT": str(free_port())}  # fmt: skip
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        python = [sys.executable]
        beat_args = ["-B", "-s", str(self.var_dir / "celerybeat-schedule")] if beat else []
        self.gateway = Process("gateway", [*python, "manage.py", "rungateway"], env, self.var_dir)
        self.worker = Process("worker", [
            *python, "-m", "celery", "-A", "convergence", "worker", *beat_args, "--pool",
            "threads", "--concurrency", "2", "--loglevel", "INFO", "-n", f"{name}@%h",
        ], env, self.var_dir)  # fmt: skip
        self.web = Process("web", [
            *python, "-m", "gunicorn", "convergence.wsgi:application", "--bind",
            f"127.0.0.1:{self.web_port}", "--workers", "1", "--threads", "4",
        ], env, self.var_dir)  # fmt: skip

    def processes(self) -> list[Process]:
        return [self.gateway, self.worker, self.web]

    def wait_ready(self, timeout: float = 120, workers_ready: int = 1) -> None:
        """Until the gateway and the web process listen and the worker has said «ready»
        ``workers_ready`` times in its log (once more after each restart)."""
        wait_until(lambda: listening("127.0.0.1", self.inbound), timeout, f"gateway {self.name}")
        wait_until(lambda: listening("127.0.0.1", self.web_port), timeout, f"web {self.name}")
        wait_until(lambda: self.worker.log().count(" ready.") >= workers_ready, timeout,
                   f"worker {self.name}")  # fmt: skip


def common_environment(proxy: DovecotServer, database_url: str, **extra: str) -> dict[str, str]:
    """What every node is told: the database, Dovecot through the proxy, and one académie's
    secrets (the same on every node, not generated under each var dir)."""
    backends = ",".join(f"{n}={h}:{i}:{lmtp}" for n, h, i, lmtp in proxy.config.backends)
    return {
        "DATABASE_URL": database_url,
        "IMAP_HOSTS": f"127.0.0.1:{proxy.config.imap_port}",
        "LMTP_HOSTS": f"127.0.0.1:{proxy.config.lmtp_port}",
        "DOVECOT_BACKENDS": backends,
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "NUMEN_HASH_KEY": settings.NUMEN_HASH_KEY,
        "DOVECOT_MASTER_SECRET": settings.DOVECOT_MASTER_SECRET,
        "CALDAV_MASTER_SECRET": settings.CALDAV_MASTER_SECRET,
        "CONVERGENCE_DEVELOPMENT": "true",
        **extra,
    }


def start_nodes(
    base: Path, common: dict[str, str], names=("a", "b"), beat: bool = False
) -> list[Node]:
    """Every node's processes started, then waited for; on a failure, all stopped."""
    nodes = [Node(name, base, common, beat) for name in names]
    try:
        for node in nodes:
            for process in node.processes():
                process.start()
        for node in nodes:
            node.wait_ready()
    except BaseException:
        stop_nodes(nodes)
        raise
    return nodes


def stop_nodes(nodes: list[Node]) -> None:
    for node in nodes:
        for process in node.processes():
            process.stop()
