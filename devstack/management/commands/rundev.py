"""`make run`: migrate, start every process on loopback, seed the demo académie, supervise."""

import os
import shutil
import signal
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from devstack.dovecot import DovecotNotInstalled, configured_server
from devstack.loopback import listening
from devstack.radicale import RadicaleServer
from devstack.spamd import SpamdNotInstalled, SpamdServer
from devstack.supervision import Child, ChildStopping
from devstack.tls import development_environment


def _wait_for(host: str, port: int, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not listening(host, port):
        if time.monotonic() > deadline:
            raise CommandError(f"{what} did not start on {host}:{port}")
        time.sleep(0.2)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = "Run the whole application on loopback with demo data (what `make run` calls)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("WEB_PORT", 8000)))
        parser.add_argument("--no-seed", action="store_true", help="skip seed_demo")

    def handle(self, *args, port: int, no_seed: bool, **options):
        # Stop the children on `kill` as on Ctrl-C, even where SIGINT came in ignored.
        signal.signal(signal.SIGTERM, _interrupt)
        signal.signal(signal.SIGINT, _interrupt)
        call_command("migrate", verbosity=0, interactive=False)
        self._tls_by_default()
        manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
        celery = str(Path(sys.executable).with_name("celery"))
        children: list[Child] = []
        redis_server = self._redis_child()
        try:
            # Failed IMAP logins count toward the sign-in lockout (accounts/mail_logins.py).
            policy = reverse("accounts:dovecot_policy")
            dovecot = configured_server(
                policy_url=settings.DOVECOT_AUTH_POLICY_URL or f"http://127.0.0.1:{port}{policy}"
            )
            dovecot.start()
        except (DovecotNotInstalled, RuntimeError) as exc:
            raise CommandError(str(exc)) from exc
        spamd = self._start_spamd()
        radicale = RadicaleServer()
        try:
            radicale.start()
            if redis_server:
                children.append(redis_server)
                redis_server.start()
            redis = urlparse(settings.REDIS_URL)
            _wait_for(redis.hostname or "127.0.0.1", redis.port or 6379, "Redis")
            children.append(Child("gateway", [*manage, "rungateway"]))
            # Beat is its own child: embedded in the worker (-B), it outlived a killed worker
            # and ran every periodic job twice beside the restarted one.
            schedule = str(settings.VAR_DIR / "celerybeat-schedule")
            children.append(Child("worker", [celery, "-A", "convergence", "worker",
                                             "--loglevel", "INFO", "--concurrency", "2"]))
            children.append(Child("beat", [celery, "-A", "convergence", "beat",
                                           "--loglevel", "INFO", "-s", schedule]))
            children.append(Child("web", [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"]))
            for child in children[-4:]:
                child.start()
            _wait_for(settings.GATEWAY_HOST, settings.GATEWAY_INBOUND_PORT, "The SMTP gateway")
            if not no_seed:
                call_command("seed_demo")
            _wait_for("127.0.0.1", port, "The web app")
            self.stdout.write(
                self.style.SUCCESS(
                    f"\nConvergence is running: http://127.0.0.1:{port}\n"
                    "Demo logins (password Demo-Convergence-2026): prof.demo, secretariat.demo, "
                    "support.demo\n"
                    f"IMAP 127.0.0.1:{settings.IMAP_PORT} · SMTP inbound "
                    f"{settings.GATEWAY_HOST}:{settings.GATEWAY_INBOUND_PORT} · submission "
                    f"{settings.GATEWAY_HOST}:{settings.GATEWAY_SUBMISSION_PORT} (STARTTLS), "
                    f"{settings.GATEWAY_SUBMISSIONS_PORT} (TLS) · IMAPS {settings.IMAPS_PORT}\n"
                    f"CalDAV {settings.MAIL_CLIENT_CALDAV_URL} (Radicale on "
                    f"{settings.RADICALE_HOST}:{settings.RADICALE_PORT})\n"
                    "Press Ctrl-C to stop everything.\n"
                )
            )
            while True:
                time.sleep(1)
                for child in children:
                    child.check(self.stdout.write)
                if dovecot.process and dovecot.process.poll() is not None:
                    self.stdout.write("Dovecot stopped; restarting")
                    dovecot.start()
                if spamd and spamd.process and spamd.process.poll() is not None:
                    self.stdout.write("spamd stopped; restarting")
                    spamd.start(wait=False)
                if not radicale.running():
                    self.stdout.write("Radicale stopped; restarting")
                    radicale.start()
        except KeyboardInterrupt:
            self.stdout.write("\nStopping…")
        except ChildStopping as exc:
            raise CommandError(str(exc)) from exc
        finally:
            signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second signal must not cut this short
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            for child in reversed(children):
                child.stop()
            dovecot.stop()
            radicale.stop()
            if spamd:
                spamd.stop()

    def _tls_by_default(self) -> None:
        """Without a certificate of the operator's, a self-signed one: STARTTLS and the
        implicit-TLS ports then run here as in production (this process and its children)."""
        if settings.TLS_CERT_FILE:
            return
        ports = {"submissions_port": settings.GATEWAY_SUBMISSIONS_PORT or 2465,
                 "imaps_port": settings.IMAPS_PORT or 1993}  # fmt: skip
        variables = development_environment(Path(settings.VAR_DIR), **ports)
        os.environ.update(variables)
        settings.TLS_CERT_FILE, settings.TLS_KEY_FILE = (
            variables["TLS_CERT_FILE"], variables["TLS_KEY_FILE"])  # fmt: skip
        settings.GATEWAY_SUBMISSIONS_PORT, settings.IMAPS_PORT = ports.values()

    def _start_spamd(self) -> SpamdServer | None:
        """Mail flows without spamd (unscored), so a missing one is a warning, not a stop."""
        spamd = SpamdServer()
        try:
            spamd.start(wait=False)
        except SpamdNotInstalled as exc:
            self.stdout.write(self.style.WARNING(f"{exc}; mail is delivered without spam scores"))
            return None
        return spamd

    def _redis_child(self) -> Child | None:
        """Reuse a Redis already listening; otherwise run one of our own (nothing on disk)."""
        redis = urlparse(settings.REDIS_URL)
        host, port = redis.hostname or "127.0.0.1", redis.port or 6379
        if listening(host, port):
            return None
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        if not Path(binary).exists():
            raise CommandError("Redis is not installed: sudo apt-get install redis-server")
        return Child(
            "redis",
            [
                binary,
                "--bind",
                host,
                "--port",
                str(port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(settings.VAR_DIR),
            ],
        )
