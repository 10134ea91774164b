"""Loopback helpers for `make run`, the tests and the bench: free ports, a Redis to use."""

import atexit
import os
import random
import shutil
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse


def _ephemeral_floor() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768  # Linux's default


def free_port() -> int:
    """A port nothing listens on, below the kernel's ephemeral range: a port bind(0) hands out
    can be taken as the local end of any outbound connection before the server it was meant
    for binds it (Dovecot failed to start so in a full test run)."""
    for _ in range(200):
        port = random.randrange(10000, _ephemeral_floor())  # noqa: S311 - not a secret
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:  # in use
                continue
            return port
    raise RuntimeError("no free port below the ephemeral range")


def listening(host: str, port: int, timeout: float = 0.5) -> bool:
    with socket.socket() as sock:
        sock.settimeout(timeout)
        return sock.connect_ex((host, port)) == 0


def redis_database(index: int) -> str:
    """Database ``index`` of the Redis at REDIS_URL, or of a private redis-server (nothing on
    disk, stopped at exit) when none is listening there."""
    url = urlparse(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    if not listening(url.hostname or "127.0.0.1", url.port or 6379):
        port = free_port()
        server = subprocess.Popen(
            [shutil.which("redis-server") or "/usr/bin/redis-server", "--bind", "127.0.0.1",
             "--port", str(port), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        atexit.register(server.terminate)
        while not listening("127.0.0.1", port):
            time.sleep(0.05)
        url = urlparse(f"redis://127.0.0.1:{port}/0")
    return urlunparse(url._replace(path=f"/{index}"))
