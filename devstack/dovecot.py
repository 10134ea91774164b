"""Render Dovecot's configuration from deploy/ templates, and run it.

`make run` and the tests start private instances on loopback (one Dovecot, or backends
behind a proxy); in production `django-admin render_dovecot` renders the same templates
where the Dovecot container reads them.
"""

import base64
import grp
import hashlib
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from string import Template

from django.conf import settings

from accounts.mail_logins import policy_token
from devstack.loopback import free_port
from devstack.processes import spawn, stop_process_group

# deploy/ of the checkout, or its copy in the installed wheel (setup.py).
TEMPLATES_DIR = Path(settings.SITE_DIR) / "deploy"
SQL_FILES = (
    "dovecot-sql.conf.ext",
    "dovecot-sql-app-passwords.conf.ext",
    "dovecot-dict-sql.conf.ext",
)
PROXY_SQL_FILES = ("dovecot-sql-proxy.conf.ext",)


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def backends_sql(backends: list[tuple[str, str, int, int]]) -> str:
    """DOVECOT_BACKENDS as a table the proxy's query joins (name, host, imap_port, lmtp_port):
    SELECTs of constants, which SQLite and PostgreSQL both read."""
    if not backends:
        raise ValueError("a Dovecot proxy needs DOVECOT_BACKENDS")
    return " UNION ALL ".join(
        f"SELECT {_sql_text(name)} AS name, {_sql_text(host)} AS host, "
        f"{int(imap)} AS imap_port, {int(lmtp)} AS lmtp_port"
        for name, host, imap, lmtp in backends
    )


class DovecotNotInstalled(RuntimeError):
    pass


def ssha512(secret: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.sha512(secret.encode() + salt).digest()
    return "{SSHA512}" + base64.b64encode(digest + salt).decode()


def sql_connection(database: dict) -> tuple[str, str]:
    """Dovecot's SQL driver and connect string for Django's database settings."""
    engine = database["ENGINE"]
    if engine.endswith("sqlite3"):
        return "sqlite", str(database["NAME"])
    if engine.endswith("postgresql"):
        parts = {
            "host": database.get("HOST") or "127.0.0.1",
            "port": database.get("PORT") or "5432",
            "dbname": database["NAME"],
            "user": database.get("USER") or "postgres",
            "password": database.get("PASSWORD") or "",
        }
        return "pgsql", " ".join(f"{k}={v}" for k, v in parts.items() if v)
    raise ValueError(f"Dovecot cannot read a {engine} database")


def _run_as() -> tuple[str, str, str, str]:
    """(internal user, internal group, login user, mail user): Dovecot never stores mail as root."""
    if os.geteuid() != 0:
        me = pwd.getpwuid(os.geteuid()).pw_name
        group = grp.getgrgid(os.getegid()).gr_name
        return me, group, me, me
    return "dovecot", "dovecot", "dovenull", "dovecot"


@dataclass
class DovecotConfig:
    base_dir: Path
    imap_port: int
    database: dict
    master_user: str
    master_secret: str
    listen: str = "127.0.0.1"
    quota: str = "1G"
    auth_penalty: bool = True
    auth_policy_url: str = ""
    auth_policy_token: str = ""
    tls_cert: str = ""
    tls_key: str = ""
    imaps_port: int = 0
    lmtp_port: int = 0  # LMTP on TCP besides the socket (0: socket only)
    trusted_networks: tuple[str, ...] = ()  # the proxies in front of this backend
    # "proxy": no mail, each login and recipient sent on to one of ``backends``.
    role: str = "backend"
    backends: tuple[tuple[str, str, int, int], ...] = ()
    log_path: str = ""  # default: dovecot.log in base_dir; a container's: /dev/stderr

    def _ssl_settings(self) -> str:
        if not self.tls_cert:
            return "ssl = no\ndisable_plaintext_auth = no"
        return (f"ssl = yes\nssl_cert = <{self.tls_cert}\nssl_key = <{self.tls_key}\n"
                "disable_plaintext_auth = yes")  # fmt: skip

    @property
    def config_path(self) -> Path:
        return self.base_dir / "dovecot.conf"

    @property
    def lmtp_socket(self) -> Path:
        return self.base_dir / "run" / "lmtp"

    @property
    def mail_root(self) -> Path:
        return self.base_dir / "mail"

    def render(self) -> Path:
        internal_user, internal_group, login_user, mail_user = _run_as()
        mail_pw = pwd.getpwnam(mail_user)
        for sub in ("run", "state", "mail"):
            (self.base_dir / sub).mkdir(parents=True, exist_ok=True)
        os.chmod(self.base_dir, 0o755)  # noqa: S103 - Dovecot's own users read it
        if os.geteuid() == 0:
            os.chown(self.mail_root, mail_pw.pw_uid, mail_pw.pw_gid)
        sql_driver, sql_connect = sql_connection(self.database)
        values = {
            "listen": self.listen,
            "base_dir": str(self.base_dir),
            "instance": str(self.imap_port),
            "internal_user": internal_user,
            "internal_group": internal_group,
            "login_user": login_user,
            "auth_worker_user": pwd.getpwuid(os.geteuid()).pw_name,
            "mail_user": mail_user,
            "mail_group": grp.getgrgid(mail_pw.pw_gid).gr_name,
            "mail_uid_number": str(mail_pw.pw_uid),
            "mail_root": str(self.mail_root),
            "imap_port": str(self.imap_port),
            "quota": self.quota,
            "sql_driver": sql_driver,
            "sql_connect": sql_connect,
            "auth_penalty_mode": "0600" if self.auth_penalty else "0",
            "auth_policy_url": self.auth_policy_url,
            "auth_policy_token": self.auth_policy_token,
            "ssl_settings": self._ssl_settings(),
            "imaps_port": str(self.imaps_port if self.tls_cert else 0),
            "lmtp_port": str(self.lmtp_port),
            "trusted_networks": " ".join(self.trusted_networks),
            "log_path": self.log_path or str(self.base_dir / "dovecot.log"),
        }
        if self.role == "proxy":
            values |= {
                "backends_sql": backends_sql(list(self.backends)),
                "default_backend": self.backends[0][0],
                "master_user": self.master_user,
            }
            self._write({"dovecot-proxy.conf": "dovecot.conf"}, PROXY_SQL_FILES, values)
            return self.config_path
        self._write({"dovecot.conf": "dovecot.conf"}, SQL_FILES, values)
        master_file = self.base_dir / "master-users"
        master_file.write_text(f"{self.master_user}:{ssha512(self.master_secret)}\n")
        os.chmod(master_file, 0o640)
        if os.geteuid() == 0:
            internal = pwd.getpwnam(internal_user)
            os.chown(master_file, 0, internal.pw_gid)
        return self.config_path

    def _write(self, main: dict[str, str], sql_files: tuple[str, ...], values: dict) -> None:
        for template_name, name in {**main, **{n: n for n in sql_files}}.items():
            template = Template((TEMPLATES_DIR / f"{template_name}.template").read_text())
            (self.base_dir / name).write_text(template.substitute(values))
        for name in sql_files:  # they hold the database password
            os.chmod(self.base_dir / name, 0o600)


def dovecot_binary() -> str:
    path = shutil.which("dovecot") or (
        "/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None
    )
    if not path:
        raise DovecotNotInstalled(
            "Dovecot is not installed: sudo apt-get install dovecot-imapd dovecot-lmtpd "
            "dovecot-sqlite dovecot-pgsql"
        )
    return path


class DovecotServer:
    """A private Dovecot in the foreground, stopped with its process group."""

    def __init__(self, config: DovecotConfig):
        self.config = config
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 15.0) -> None:
        self.config.render()
        self.process = spawn([dovecot_binary(), "-F", "-c", str(self.config.config_path)])
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                log = self.config.base_dir / "dovecot.log"
                tail = log.read_text()[-2000:] if log.exists() else ""
                raise RuntimeError(f"Dovecot exited with {self.process.returncode}: {tail}")
            listen = self.config.listen
            host = "127.0.0.1" if listen in ("*", "0.0.0.0") else listen  # noqa: S104
            if (
                _port_open(host, self.config.imap_port)
                and self.config.lmtp_socket.exists()
            ):
                return
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"Dovecot did not open port {self.config.imap_port} in {timeout}s")

    def stop(self) -> None:
        stop_process_group(self.process)
        self.process = None


def _port_open(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex((host, port)) == 0


def configured_server(
    database: dict | None = None, policy_url: str = "", role: str = "backend"
) -> DovecotServer:
    """The Dovecot described by the settings (DOVECOT_DIR, DOVECOT_LISTEN, IMAP_PORT,
    LMTP_PORT; a proxy to DOVECOT_BACKENDS when ``role`` is "proxy"), reading ``database``
    (the default one unless the tests or the bench name theirs), asking ``policy_url``
    (DOVECOT_AUTH_POLICY_URL unless the tests give their live server's) about logins."""
    return DovecotServer(
        DovecotConfig(
            base_dir=Path(settings.DOVECOT_DIR),
            imap_port=settings.IMAP_PORT,
            database=database or settings.DATABASES["default"],
            master_user=settings.DOVECOT_MASTER_USER,
            master_secret=settings.DOVECOT_MASTER_SECRET,
            listen=settings.DOVECOT_LISTEN,
            auth_penalty=settings.DOVECOT_AUTH_PENALTY,
            auth_policy_url=policy_url or settings.DOVECOT_AUTH_POLICY_URL,
            auth_policy_token=policy_token(),
            tls_cert=settings.TLS_CERT_FILE,
            tls_key=settings.TLS_KEY_FILE,
            imaps_port=settings.IMAPS_PORT,
            lmtp_port=settings.LMTP_PORT,
            trusted_networks=tuple(settings.DOVECOT_TRUSTED_NETWORKS),
            role=role,
            backends=tuple(settings.DOVECOT_BACKENDS),
            log_path=settings.DOVECOT_LOG_PATH,
        )
    )


def loopback_cluster(
    base_dir: Path, database: dict, backends: int = 2, policy_url: str = ""
) -> tuple[list[DovecotServer], DovecotServer]:
    """``backends`` Dovecot backends and a proxy in front of them, on free loopback ports,
    each in its own directory under ``base_dir`` (tests and `make cluster-test`). The
    proxy's backends are named b1, b2…: DOVECOT_BACKENDS is ``proxy.config.backends``."""
    common = {
        "database": database,
        "master_user": settings.DOVECOT_MASTER_USER,
        "master_secret": settings.DOVECOT_MASTER_SECRET,
        "auth_penalty": settings.DOVECOT_AUTH_PENALTY,
        "auth_policy_url": policy_url,
        "auth_policy_token": policy_token(),
    }
    stores = [
        DovecotServer(DovecotConfig(
            base_dir=base_dir / f"dovecot-b{index}", imap_port=free_port(),
            lmtp_port=free_port(), trusted_networks=("127.0.0.0/8",), **common,
        ))
        for index in range(1, backends + 1)
    ]  # fmt: skip
    proxy = DovecotServer(DovecotConfig(
        base_dir=base_dir / "dovecot-proxy", imap_port=free_port(), lmtp_port=free_port(),
        role="proxy", **common,
        backends=tuple((f"b{index}", "127.0.0.1", store.config.imap_port,
                        store.config.lmtp_port) for index, store in enumerate(stores, 1)),
    ))  # fmt: skip
    return stores, proxy
