"""Concurrent sessions: the webmail served by gunicorn as in production (one process per
core, threads in each) and hit over loopback HTTP, against as many raw IMAP sessions."""

import http.client
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse

from bench import floor
from bench.stack import PASSWORD, Person
from bench.stats import Throughput
from devstack.processes import spawn, stop_process_group


class WebServer:
    """gunicorn in a subprocess with the bench's environment."""

    def __init__(self, port: int, log: Path):
        self.port, self.log = port, log
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "WebServer":
        with open(self.log, "ab") as log:
            self.process = spawn(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "convergence.wsgi:application",
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    "--workers",
                    str(os.cpu_count() or 2),
                    "--worker-class",
                    "gthread",
                    "--threads",
                    "4",
                ],
                cwd=settings.BASE_DIR,
                env=os.environ.copy(),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: see {self.log}")
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return self
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not listen within 60 s: see {self.log}")

    def __exit__(self, *exc) -> None:
        stop_process_group(self.process, timeout=15)


class HttpSession:
    """One browser: its cookies and a keep-alive connection, reopened when dropped."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.connection: http.client.HTTPConnection | None = None

    def request(
        self, method: str, path: str, body: str | None = None, extra: dict | None = None
    ) -> tuple[int, bytes]:
        headers = {"Host": f"127.0.0.1:{self.port}", "Accept-Language": "fr", **(extra or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                content = response.read()
            except (OSError, http.client.HTTPException):
                self.connection.close()
                self.connection = None
                if attempt == 2:
                    raise
                continue
            for header in response.msg.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            if response.getheader("Connection", "").lower() == "close":
                self.connection.close()
                self.connection = None
            return response.status, content
        raise AssertionError("unreachable")

    def login(self, login: str, password: str) -> None:
        """Through the sign-in form, CSRF token included, as a browser does."""
        path = reverse("account_login")
        status, page = self.request("GET", path)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or token is None:
            raise RuntimeError(f"no sign-in form at {path} ({status})")
        form = {"login": login, "password": password, "csrfmiddlewaretoken": token[1].decode()}
        status, _ = self.request("POST", path, urlencode(form))
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"sign-in of {login} failed ({status})")


class NodeSessions:
    """One browser in front of several web nodes: one sign-in (the cookies shared), a
    keep-alive connection to each node; ``next()`` takes them in turn, as a round-robin
    load balancer does request by request."""

    def __init__(self, ports: list[int]):
        self.cookies: dict[str, str] = {}
        self.sessions = {port: HttpSession(port) for port in ports}
        for session in self.sessions.values():
            session.cookies = self.cookies  # the same sign-in whichever node answers
        self._turn = 0

    def next(self) -> HttpSession:
        sessions = list(self.sessions.values())
        self._turn += 1
        return sessions[self._turn % len(sessions)]


def run_loops(operations: list[Callable[[], None]], warmup: float, seconds: float) -> Throughput:
    """Each operation in its own thread, in a loop; only the requests that start after the
    warm-up and end within the window count."""
    result = Throughput(seconds=seconds)
    lock = threading.Lock()
    barrier = threading.Barrier(len(operations) + 1)
    window: list[float] = []

    def loop(operation: Callable[[], None]) -> None:
        barrier.wait()
        start, end = window[0] + warmup, window[0] + warmup + seconds
        while (begin := time.perf_counter()) < end:
            try:
                operation()
            except Exception:  # an error is counted, not fatal
                with lock:
                    result.errors += 1
                continue
            done = time.perf_counter()
            if begin >= start and done <= end:
                with lock:
                    result.latencies.append(done - begin)

    threads = [threading.Thread(target=loop, args=(op,), daemon=True) for op in operations]
    for thread in threads:
        thread.start()
    window.append(time.perf_counter())
    barrier.wait()
    for thread in threads:
        thread.join(warmup + seconds + 120)
    return result


def webmail(person: Person, port: int, log: Path, sessions: int, warmup: float, seconds: float):
    """``sessions`` signed-in browsers listing the inbox of ``person`` in a loop."""
    path = reverse("mail:folder", args=[person.mailbox.id, "INBOX"])
    with WebServer(port, log):
        browsers = []
        for _ in range(sessions):
            browser = HttpSession(port)
            browser.login(person.login, PASSWORD)
            browsers.append(browser)

        def listing(browser: HttpSession) -> Callable[[], None]:
            def get() -> None:
                status, _ = browser.request("GET", path)
                if status != 200:
                    raise RuntimeError(f"GET {path} answered {status}")

            return get

        return run_loops([listing(b) for b in browsers], warmup, seconds)


def raw(person: Person, sessions: int, warmup: float, seconds: float) -> Throughput:
    """``sessions`` raw IMAP connections, INBOX selected, doing SORT + FETCH 50 in a loop."""
    clients = [floor.connect(person.login) for _ in range(sessions)]
    try:
        for client in clients:
            client.select_folder("INBOX")
        loops = [lambda c=client: floor.inbox_page(c) for client in clients]
        return run_loops(loops, warmup, seconds)
    finally:
        for client in clients:
            client.logout()
