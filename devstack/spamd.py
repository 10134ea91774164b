"""Run a private spamd on loopback for `make run` and the tests (production runs its own).

Per-mailbox Bayes databases live under SPAMD_DIR/users/<imap user>/ (``--virtual-config-dir``,
which spamd only allows with ``-u``); it runs local tests only (``-L``): no DNS, no network.
"""

import grp
import os
import pwd
import shutil
import subprocess
import time
from pathlib import Path

from django.conf import settings

from devstack.processes import spawn, stop_process_group
from mail.pipeline import spam

SITE_CONFIG = Path(settings.SITE_DIR) / "deploy" / "spamassassin.cf"


class SpamdNotInstalled(RuntimeError):
    pass


def _run_as() -> str:
    """spamd refuses to run as root; Debian's spamd package creates debian-spamd."""
    if os.geteuid() != 0:
        return pwd.getpwuid(os.geteuid()).pw_name
    for name in ("debian-spamd", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise RuntimeError("no unprivileged user to run spamd as")


def spamd_binary() -> str:
    path = shutil.which("spamd") or ("/usr/sbin/spamd" if Path("/usr/sbin/spamd").exists() else "")
    if not path:
        raise SpamdNotInstalled(
            "SpamAssassin's spamd is not installed: sudo apt-get install spamassassin spamc spamd"
        )
    return path


def spamd_argv() -> list[str]:
    """The command line; creates SPAMD_DIR for the user spamd runs as."""
    user = _run_as()
    users_dir = Path(settings.SPAMD_DIR) / "users"
    users_dir.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        entry = pwd.getpwnam(user)
        for path in (users_dir.parent, users_dir):
            os.chown(path, entry.pw_uid, entry.pw_gid)
    minimum = settings.SPAM_BAYES_MIN_LEARNED
    return [
        spamd_binary(),
        "--listen", f"{settings.SPAMD_HOST}:{settings.SPAMD_PORT}",
        "--allowed-ips", "127.0.0.1,::1",
        "--local",  # no DNS or network tests: nothing leaves the machine
        "--allow-tell",  # learning through spamd (mail/spam.py's TELL)
        "--nouser-config",
        f"--virtual-config-dir={users_dir}/%u",
        "--username", user,
        "--groupname", grp.getgrgid(pwd.getpwnam(user).pw_gid).gr_name,
        "--max-children", "3",
        "--min-children", "1",
        "--syslog", "stderr",
        f"--cf=include {SITE_CONFIG}",
        f"--cf=bayes_min_spam_num {minimum}",
        f"--cf=bayes_min_ham_num {minimum}",
    ]  # fmt: skip


class SpamdServer:
    """spamd in the foreground, in its own process group, logging to SPAMD_DIR/spamd.log."""

    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None
        self.log_path = Path(settings.SPAMD_DIR) / "spamd.log"

    def start(self, *, wait: bool = True, timeout: float = 120.0) -> None:
        argv = spamd_argv()
        with open(self.log_path, "ab") as log:
            self.process = spawn(argv, stdout=log, stderr=subprocess.STDOUT)
        if not wait:
            return
        # Compiling the rules takes seconds (tens on a busy machine).
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                tail = self.log_path.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"spamd exited with {self.process.returncode}: {tail}")
            if spam.ping():
                return
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"spamd did not answer on port {settings.SPAMD_PORT} in {timeout}s")

    def stop(self) -> None:
        stop_process_group(self.process)
        self.process = None
