"""Fill the bench mailbox. One LMTP transaction or IMAP APPEND per message is far too slow
for 50,000 messages, so the messages are written as Maildir files, then Dovecot's own tool
assigns their UIDs and builds its caches and the full-text index (doveadm index), one
folder per CPU core at a time, the largest first."""

import grp
import os
import pwd
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from bench import corpus
from bench.machine import run_tool


@dataclass(frozen=True)
class Folder:
    name: str
    count: int  # messages to add
    seed: int
    start: int = 0  # index of the first one in the corpus (when a folder grows)


@dataclass(frozen=True)
class LoadTimes:
    messages: int
    write_seconds: float  # building and writing the files (overlaps the indexing)
    total_seconds: float  # first file written to last folder indexed
    workers: int


def doveadm(config: Path, *args: str) -> str:
    return run_tool("doveadm", "-c", str(config), *args)


def _mail_owner(config: Path, user: str) -> tuple[int, int]:
    """Who Dovecot stores mail as (the files written here must be theirs): its mail_uid and
    mail_gid, as configured."""
    uid, gid = (doveadm(config, "config", "-h", name).strip() for name in ("mail_uid", "mail_gid"))
    return pwd.getpwnam(uid).pw_uid if not uid.isdigit() else int(uid), (
        grp.getgrnam(gid).gr_gid if not gid.isdigit() else int(gid)
    )


def _maildir(config: Path, user: str, folder: Folder, owner: tuple[int, int]) -> Path:
    if folder.name not in doveadm(config, "mailbox", "list", "-u", user).splitlines():
        doveadm(config, "mailbox", "create", "-u", user, "-s", folder.name)
    path = Path(
        doveadm(config, "mailbox", "path", "-u", user, "-t", "mailbox", folder.name).strip()
    )
    for directory in (path.parent, path, path / "cur", path / "new", path / "tmp"):
        if not directory.exists():  # auto-created folders (Sent, Archive…) exist once used
            directory.mkdir(mode=0o700)
            if os.geteuid() == 0:
                os.chown(directory, *owner)
    return path


def _write(path: Path, folder: Folder, recipient: str, owner: tuple[int, int]) -> None:
    """Files in cur/ named with Dovecot's S= (size) and W= (CRLF size), so it never has to
    stat or read a file to know them; the mtime is the received date (INTERNALDATE)."""
    cur, chown = path / "cur", os.geteuid() == 0
    messages = corpus.messages(folder.count, recipient, folder.seed, folder.start)
    for index, message in enumerate(messages, start=folder.start):
        stamp = int(message.date.timestamp())
        flags = ("F" if message.flagged else "") + ("S" if message.seen else "")
        size, vsize = len(message.raw), len(message.raw) + message.raw.count(b"\n")
        file = cur / f"{stamp}.M{index}P{folder.seed}.bench,S={size},W={vsize}:2,{flags}"
        file.write_bytes(message.raw)
        os.utime(file, (stamp, stamp))
        if chown:
            os.chown(file, *owner)


def _index(config: Path, user: str, folder: Folder) -> None:
    """Dovecot finds the new files (UIDs in filename order, i.e. by date) and indexes them.
    (`doveadm force-resync` is not needed for new files, and would wait for the lock of
    another folder being indexed.)"""
    doveadm(config, "index", "-u", user, folder.name)
    status = doveadm(config, "mailbox", "status", "-u", user, "messages", folder.name)
    if not status.strip().endswith(f"messages={folder.start + folder.count}"):
        raise RuntimeError(f"{user} {folder.name}: {status.strip()}, expected more")


def load(config: Path, user: str, recipient: str, folders: list[Folder]) -> LoadTimes:
    """Write every folder, largest first, and index each one as soon as it is written."""
    workers = max(1, os.cpu_count() or 1)
    owner = _mail_owner(config, user)
    started = time.monotonic()
    writing = 0.0
    jobs: list[Future] = []
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for folder in sorted(folders, key=lambda f: f.count, reverse=True):
            begin = time.monotonic()
            _write(_maildir(config, user, folder, owner), folder, recipient, owner)
            writing += time.monotonic() - begin
            jobs.append(pool.submit(_index, config, user, folder))
        for job in jobs:
            job.result()
    return LoadTimes(
        messages=sum(f.count for f in folders),
        write_seconds=writing,
        total_seconds=time.monotonic() - started,
        workers=workers,
    )
