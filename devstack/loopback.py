"""Loopback helpers for `make run`, the tests and the bench: free ports, a Redis to use."""

import atexit
import os
import shutil
import socket
import subprocess
import time
from urllib.parse import urlparse, urlunparse


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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
