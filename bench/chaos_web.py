"""The web parts of `make chaos` (bench/chaos.py): a sign-in storm against gunicorn, with its
memory and a colleague's sending latency meanwhile, and gunicorn's workers killed while
messages are being sent from the compose page."""

import http.client
import os
import random
import re
import signal
import statistics
import threading
import time
import uuid
from email.parser import BytesHeaderParser
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse

from accounts.models import Preferences
from bench import stack
from bench.concurrency import HttpSession, WebServer
from devstack.loopback import free_port
from mail.models import OutgoingMessage

STORM = 30
WORKERS = os.cpu_count() or 2  # gunicorn's processes (bench.concurrency.WebServer)


def _group_memory(pgid: int) -> tuple[float, float]:
    """(resident MiB now, the largest peak of one process, MiB) over a process group."""
    now = peak = 0.0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()
            status = Path(entry.path, "status").read_text()
        except OSError:
            continue
        if int(stat[2]) != pgid:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        now += int(fields.get("VmRSS", "0 kB").split()[0]) / 1024
        peak = max(peak, int(fields.get("VmHWM", "0 kB").split()[0]) / 1024)
    return now, peak


def _workers(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def _serving(pid: int) -> bool:
    """Booted: a gunicorn worker has loaded the app (its resident memory says so)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    rss = next((line.split()[1] for line in status.splitlines() if line.startswith("VmRSS")), 0)
    return int(rss) > 80 * 1024


def _token(page: bytes) -> str:
    found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if found is None:
        raise RuntimeError("no CSRF token on the compose page")
    return found[1].decode()


def _post_once(session: HttpSession, path: str, form: dict) -> int | None:
    """One POST on a new connection, never sent twice: None when the connection was cut."""
    connection = http.client.HTTPConnection("127.0.0.1", session.port, timeout=60)
    headers = {"Host": f"127.0.0.1:{session.port}", "Accept-Language": "fr",
               "Content-Type": "application/x-www-form-urlencoded",
               "Cookie": "; ".join(f"{k}={v}" for k, v in session.cookies.items())}  # fmt: skip
    try:
        connection.request("POST", path, body=urlencode(form), headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status
    except (OSError, http.client.HTTPException):
        return None
    finally:
        connection.close()


class Writer:
    """A signed-in person on the compose page, sending to a colleague as a browser does."""

    def __init__(self, port: int, person: stack.Person):
        self.person, self.session = person, HttpSession(port)
        Preferences.objects.update_or_create(user=person.user, defaults={"undo_send_seconds": 0})
        self.session.login(person.login, stack.PASSWORD)

    def send(self, to: str, subject: str, key: str) -> int | None:
        status, page = self.session.request("GET", reverse("mail:compose"))
        form = {"csrfmiddlewaretoken": _token(page), "sender": self.person.mailbox.id,
                "to": to, "subject": subject, "body": "Bonjour,\n\nà demain.\n",
                "draft_key": key}  # fmt: skip
        return _post_once(self.session, reverse("mail:compose"), form)


def copies(server, person: stack.Person, subjects: list[str]) -> dict[str, int]:
    """How many copies of each subject the person's Maildir holds (read from disk)."""
    wanted, found, parser = set(subjects), {}, BytesHeaderParser()
    for path in stack.maildir_files(server, person):
        with open(path, "rb") as handle:
            subject = str(parser.parsebytes(handle.read(16 * 1024)).get("Subject", ""))
        if subject in wanted:
            found[subject] = found.get(subject, 0) + 1
    return found


def storm(findings, var_dir: Path, server, people: list[stack.Person]) -> None:
    """STORM sign-ins at once (Argon2id: 64 MiB each), while a colleague sends a message."""
    with WebServer(free_port(), var_dir / "chaos-web.log") as web:
        writer = Writer(web.port, people[0])
        before, _ = _group_memory(web.process.pid)
        latencies, failures, done = [], [], threading.Event()

        def sign_in(n: int) -> None:
            try:
                HttpSession(web.port).login(people[1 + n % (len(people) - 1)].login,
                                            stack.PASSWORD)  # fmt: skip
            except Exception as exc:
                failures.append(str(exc))

        def legitimate() -> None:
            while not done.is_set():
                subject = f"Envoi pendant la tempete {uuid.uuid4().hex[:8]}"
                begin = time.perf_counter()
                if writer.send(people[1].mailbox.address, subject, str(uuid.uuid4())) != 302:
                    continue
                while not copies(server, people[1], [subject]):
                    if time.perf_counter() - begin > 120:
                        break
                    time.sleep(0.1)
                latencies.append(time.perf_counter() - begin)

        colleague = threading.Thread(target=legitimate, daemon=True)
        colleague.start()
        began = time.perf_counter()
        threads = [threading.Thread(target=sign_in, args=(n,), daemon=True) for n in range(STORM)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        took = time.perf_counter() - began
        done.set()
        colleague.join()
        after, peak = _group_memory(web.process.pid)
    findings.add(f"- {STORM} sign-ins at once (right passwords, Argon2id) against gunicorn "
                 f"({os.cpu_count()} processes × 4 threads): all done in {took:.1f} s, "
                 f"{len(failures)} failed")  # fmt: skip
    slots = settings.PASSWORD_HASHING_CONCURRENCY
    findings.add(f"- the web processes' memory: {before:.0f} MiB before, {after:.0f} MiB after; "
                 f"the largest peak of one process {peak:.0f} MiB (at most {slots} hashes at "
                 "once per process)")  # fmt: skip
    if latencies:
        findings.add(f"- a colleague's message sent from the compose page meanwhile, from "
                     f"«Envoyer» to the recipient's Maildir ({len(latencies)} times): median "
                     f"{statistics.median(latencies) * 1000:.0f} ms, max "
                     f"{max(latencies) * 1000:.0f} ms")  # fmt: skip
    for failure in failures[:3]:
        findings.add(f"  - {failure}")


def kills(findings, var_dir: Path, server, people: list[stack.Person], count: int) -> None:
    """Messages sent from the compose page while gunicorn's workers are killed (SIGKILL);
    a request cut mid-way is sent again with the same draft, as «Envoyer» pressed again."""
    recipient = people[5]
    with WebServer(free_port(), var_dir / "chaos-web-kills.log") as web:
        writers = [Writer(web.port, person) for person in people[:4]]
        cut, answers, sent, killed = [0], {}, [], []
        stop = threading.Event()

        def write(writer: Writer, n: int) -> None:
            for k in range(count):
                subject = f"Envoi {n}-{k} sous les coups {uuid.uuid4().hex[:6]}"
                key, deadline = str(uuid.uuid4()), time.monotonic() + 120
                while (status := _send(writer, recipient, subject, key)) is None:
                    cut[0] += 1
                    if time.monotonic() > deadline:
                        break
                answers[status] = answers.get(status, 0) + 1
                if status == 302:
                    sent.append(subject)

        def killer() -> None:
            # A new worker needs seconds to boot Django: kill one only once both serve again,
            # else no request would ever be served.
            while not stop.wait(random.uniform(1.0, 3.0)):  # noqa: S311
                workers = _workers(web.process.pid)
                if len(workers) == WORKERS and all(_serving(pid) for pid in workers):
                    os.kill(random.choice(workers), signal.SIGKILL)  # noqa: S311
                    killed.append(1)

        killing = threading.Thread(target=killer, daemon=True)
        killing.start()
        threads = [threading.Thread(target=write, args=(w, n), daemon=True)
                   for n, w in enumerate(writers)]  # fmt: skip
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        stop.set()
        killing.join()
    began = time.monotonic()
    while time.monotonic() - began < 300:
        found = copies(server, recipient, sent)
        if all(found.get(s) for s in sent):
            break
        time.sleep(1)
    found = copies(server, recipient, sent)
    queued = {s: OutgoingMessage.objects.filter(subject=s).count() for s in sent}
    findings.add(f"- {len(writers)} people sent {len(writers) * count} messages from the "
                 f"compose page while {len(killed)} gunicorn workers were killed (SIGKILL); "
                 f"{cut[0]} times a kill cut the page or «Envoyer», pressed again with the same "
                 f"draft; answers to «Envoyer»: "
                 + ", ".join(f"{code} × {n}" for code, n in answers.items()))  # fmt: skip
    findings.add(f"- **{sum(1 for s in sent if not found.get(s))} lost, "
                 f"{sum(1 for s in sent if found.get(s, 0) > 1)} doubled**; drafts queued other "
                 f"than once: {sum(1 for n in queued.values() if n != 1)} (copies in the "
                 f"recipient's Maildir: {sum(found.values())})")  # fmt: skip


def _send(writer: Writer, recipient: stack.Person, subject: str, key: str) -> int | None:
    try:
        return writer.send(recipient.mailbox.address, subject, key)
    except (OSError, http.client.HTTPException, RuntimeError):
        return None  # the compose page itself was cut: opened again
