"""Debian's Roundcube beside the webmail (#16): its own php-fpm pool and nginx on loopback,
configured in a private directory, pointed at the bench's Dovecot, SQLite for its database."""

import glob
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path("/var/lib/roundcube/public_html")  # Debian's document root (roundcube-core)
DEBIAN_CONFIG = Path("/etc/roundcube")
PAGE_SIZE = 50  # as the webmail and the raw floors


class Unavailable(RuntimeError):
    """Roundcube, nginx or php-fpm is not installed (deploy/system-packages.sh run)."""


def php_fpm() -> str:
    found = sorted(glob.glob("/usr/sbin/php-fpm*"))
    if not found or not shutil.which("nginx", path="/usr/sbin:/usr/bin") or not ROOT.exists():
        raise Unavailable("roundcube, nginx or php-fpm is missing: run deploy/system-packages.sh")
    return found[-1]


def _php(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


class Roundcube:
    """php-fpm (``workers`` children, as many as gunicorn's threads) and nginx, both in the
    foreground of their own process groups, stopped on exit."""

    def __init__(self, base: Path, port: int, imap_port: int, workers: int):
        self.base, self.port, self.imap_port, self.workers = base, port, imap_port, workers
        self.processes: list[subprocess.Popen] = []
        self.run_as = "www-data" if os.geteuid() == 0 else None

    @property
    def socket(self) -> Path:
        return self.base / "php-fpm.sock"

    def _write_roundcube_config(self) -> None:
        config = self.base / "config"
        config.mkdir(parents=True)
        for name in ("defaults.inc.php", "mimetypes.php"):
            (config / name).symlink_to(DEBIAN_CONFIG / name)
        settings = {
            "db_dsnw": f"sqlite:///{self.base / 'data' / 'roundcube.sqlite'}?mode=0640",
            "imap_host": f"127.0.0.1:{self.imap_port}",
            "smtp_host": "",
            "log_dir": f"{self.base / 'logs'}/",
            "temp_dir": f"{self.base / 'temp'}/",
            "des_key": secrets.token_urlsafe(18)[:24],
            "skin": "elastic",
            "language": "fr_FR",
            "message_sort_col": "date",  # the webmail's order: SORT (REVERSE DATE)
            "message_sort_order": "DESC",
        }
        lines = ["<?php", "$config = [];"]
        lines += [f"$config['{key}'] = {_php(value)};" for key, value in settings.items()]
        lines += [
            f"$config['mail_pagesize'] = {PAGE_SIZE};",
            "$config['plugins'] = [];",
            "$config['enable_spellcheck'] = false;",
        ]
        (config / "config.inc.php").write_text("\n".join(lines) + "\n")

    def _write_servers_config(self) -> tuple[Path, Path]:
        user = f"user = {self.run_as}\ngroup = {self.run_as}\n" if self.run_as else ""
        owner = user.replace("user =", "listen.owner =").replace("group =", "listen.group =")
        fpm = self.base / "php-fpm.conf"
        fpm.write_text(
            f"[global]\npid = {self.base / 'php-fpm.pid'}\n"
            f"error_log = {self.base / 'logs' / 'php-fpm.log'}\ndaemonize = no\n\n"
            f"[roundcube]\n{user}listen = {self.socket}\n{owner}listen.mode = 0660\n"
            f"pm = static\npm.max_children = {self.workers}\nclear_env = yes\n"
            f"env[ROUNDCUBE_CONFIG_DIR] = {self.base / 'config'}\n"
        )
        temp = self.base / "nginx-temp"
        paths = "".join(
            f"  {kind}_temp_path {temp / kind};\n"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        nginx = self.base / "nginx.conf"
        nginx.write_text(
            (f"user {self.run_as};\n" if self.run_as else "")
            + f"worker_processes {os.cpu_count() or 2};\npid {self.base / 'nginx.pid'};\n"
            f"error_log {self.base / 'logs' / 'nginx-error.log'} warn;\ndaemon off;\n"
            "events { worker_connections 512; }\n"
            f"http {{\n  include /etc/nginx/mime.types;\n  access_log off;\n{paths}"
            f"  server {{\n    listen 127.0.0.1:{self.port};\n    root {ROOT};\n"
            "    index index.php;\n"
            "    location ~ \\.php$ {\n      include /etc/nginx/fastcgi_params;\n"
            "      fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;\n"
            f"      fastcgi_pass unix:{self.socket};\n    }}\n  }}\n}}\n"
        )
        return fpm, nginx

    def _prepare(self) -> tuple[Path, Path]:
        self._write_roundcube_config()
        for name in ("data", "logs", "temp", "nginx-temp"):
            (self.base / name).mkdir()
        if self.run_as:  # the pool and nginx's workers write there
            entry = pwd.getpwnam(self.run_as)
            for name in ("data", "logs", "temp", "nginx-temp"):
                os.chown(self.base / name, entry.pw_uid, entry.pw_gid)
        return self._write_servers_config()

    def _start(self, command: list[str], log: Path) -> None:
        with open(log, "ab") as output:
            self.processes.append(subprocess.Popen(
                command, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
            ))  # fmt: skip

    def _wait(self, ready, what: str) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if any(process.poll() is not None for process in self.processes):
                raise RuntimeError(f"{what} exited: see {self.base / 'logs'}")
            if ready():
                return
            time.sleep(0.05)
        raise RuntimeError(f"{what} did not start within 30 s: see {self.base / 'logs'}")

    def __enter__(self) -> "Roundcube":
        binary = php_fpm()
        self.base.mkdir(parents=True)
        fpm, nginx = self._prepare()
        logs = self.base / "logs"
        try:
            self._start([binary, "--nodaemonize", "--fpm-config", str(fpm)], logs / "fpm.out")
            self._wait(self.socket.exists, "php-fpm")
            self._start(["/usr/sbin/nginx", "-c", str(nginx), "-p", str(self.base)],
                        logs / "nginx.out")  # fmt: skip
            self._wait(self.listening, "nginx")
        except BaseException:
            self.__exit__()
            raise
        return self

    def listening(self) -> bool:
        with socket.socket() as sock:
            return sock.connect_ex(("127.0.0.1", self.port)) == 0

    def __exit__(self, *exc) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(15)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
        self.processes = []


class Browser:
    """One Roundcube session over loopback HTTP, as its UI makes requests: the login form
    with its token, then AJAX requests carrying the request token in X-Roundcube-Request."""

    def __init__(self, port: int):
        from bench.concurrency import HttpSession

        self.http = HttpSession(port)
        self.token = ""

    def _token(self, page: bytes) -> str:
        found = re.search(rb'"request_token":"([^"]+)"', page)
        if found is None:
            raise RuntimeError("no request token in Roundcube's page")
        return found[1].decode()

    def login(self, user: str, password: str) -> None:
        status, page = self.http.request("GET", "/?_task=login")
        form = {"_token": self._token(page), "_task": "login", "_action": "login", "_url": "",
                "_timezone": "Europe/Paris", "_user": user, "_pass": password}  # fmt: skip
        status, _ = self.http.request("POST", "/?_task=login", urlencode(form))
        if status != 302:
            raise RuntimeError(f"Roundcube's sign-in of {user} answered {status}")
        status, page = self.http.request("GET", "/?_task=mail&_mbox=INBOX")
        if status != 200 or b'"task":"mail"' not in page:
            raise RuntimeError(f"Roundcube's mail page answered {status} after sign-in")
        self.token = self._token(page)

    def inbox(self) -> bytes:
        """The list request of the UI: page 1 of the INBOX as JSON commands."""
        path = "/?_task=mail&_action=list&_mbox=INBOX&_page=1&_remote=1"
        status, body = self.http.request("GET", path, extra={"X-Roundcube-Request": self.token})
        if status != 200 or b'"action":"list"' not in body or b"add_message_row" not in body:
            raise RuntimeError(f"Roundcube's list answered {status}: {body[:200]!r}")
        return body

    def message(self, uid: int) -> bytes:
        """The show action: the page with the message's (washed) body inline."""
        status, page = self.http.request("GET", f"/?_task=mail&_mbox=INBOX&_uid={uid}&_action=show")
        if status != 200 or b'id="messagebody"' not in page:
            raise RuntimeError(f"Roundcube's show of {uid} answered {status}")
        return page
