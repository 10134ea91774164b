"""The three parts of `make chaos` (see bench/chaos.py), run on one private stack."""

import os
import smtplib
import statistics
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from pathlib import Path

from django.conf import settings
from django.test import Client

from accounts.models import AccountEvent, User
from bench import chaos_beat, chaos_inputs, chaos_web, cluster_plan, machine, stack
from devstack.processes import CeleryBeat, CeleryWorker
from mail.imap import close_all_sessions, imap_session
from mail.models import SpooledMessage
from mail.pipeline.gateway import build_controllers
from mail.transport.lmtp import lmtp_deliver

TAG = "X-Chaos-Tag"
PEOPLE = 20


@dataclass
class Findings:
    lines: list[str] = field(default_factory=list)

    def add(self, line: str) -> None:
        print(line, flush=True)
        self.lines.append(line)


def _send(message: EmailMessage, to: str, port: int, retries: list[int]) -> None:
    """As a mail server would: a 4xx or a cut connection means «try again»."""
    deadline, tries = time.monotonic() + 120, 0
    while True:
        try:
            with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
                smtp.send_message(message, to_addrs=[to])
            retries.append(tries)
            return
        except (OSError, smtplib.SMTPException) as exc:
            permanent = isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500
            if permanent or time.monotonic() > deadline:
                raise
            tries += 1
            time.sleep(0.5)


def _copies(server, people: list[stack.Person], run: str) -> dict[str, int]:
    """Every stored copy of this run's mail, read from the Maildirs (not through Dovecot)."""
    found: dict[str, int] = {}
    parser = BytesHeaderParser()
    for person in people:
        for path in stack.maildir_files(server, person):
            with open(path, "rb") as handle:
                tag = parser.parsebytes(handle.read(16 * 1024)).get(TAG, "")
            if tag.startswith(run):
                found[tag] = found.get(tag, 0) + 1
    return found


def kills(findings, server, worker, redis, people, count: int) -> None:
    run, accepted, retries = uuid.uuid4().hex[:8], [], []
    failures: list[str] = []

    def sender():
        for n in range(count):
            message = EmailMessage()
            message["From"] = "famille.durand@example.org"
            message["To"] = people[n % len(people)].mailbox.address
            message["Subject"] = f"Message {n} de la campagne"
            message[TAG] = f"{run}-{n}"
            message.set_content("Bonjour,\n\nun message parmi d'autres.\n")
            try:
                _send(message, message["To"], settings.GATEWAY_INBOUND_PORT, retries)
                accepted.append(message[TAG])
            except Exception as exc:
                failures.append(f"{message[TAG]}: {exc}")
            time.sleep(0.01)

    thread = threading.Thread(target=sender)
    thread.start()
    faults = [
        (count // 4, "worker killed (SIGKILL), restarted", lambda: (worker.kill(), worker.start())),
        (count // 2, "Dovecot stopped 3 s", lambda: (server.stop(), time.sleep(3), server.start())),
        (3 * count // 4, "Redis killed (SIGKILL) 3 s, restarted empty",
         lambda: (redis.kill(), time.sleep(3), redis.start())),
    ]  # fmt: skip
    for threshold, what, fault in faults:
        while len(accepted) + len(failures) < threshold and thread.is_alive():
            time.sleep(0.05)
        fault()
        findings.add(f"- at message {threshold}: {what}")
    thread.join()
    began = time.monotonic()
    while SpooledMessage.objects.filter(status=SpooledMessage.Status.PENDING).exists():
        if worker.process is None or worker.process.poll() is not None:
            findings.add("- **the worker exited by itself**; restarted as the supervisor would")
            worker.start()
        if time.monotonic() - began > 300:
            break
        time.sleep(0.5)
    copies = _copies(server, people, run)
    lost = [tag for tag in accepted if copies.get(tag, 0) == 0]
    doubled = [tag for tag, n in copies.items() if n > 1]
    statuses = {s: SpooledMessage.objects.filter(status=s).count()
                for s in SpooledMessage.Status.values}  # fmt: skip
    findings.add(
        f"- {count} messages sent, {len(accepted)} accepted (250), {len(failures)} refused for "
        f"good; the sender retried {sum(retries)} times after a 4xx or a cut connection"
    )
    findings.add(f"- **{len(lost)} lost, {len(doubled)} doubled** "
                 f"(copies in the Maildirs: {sum(copies.values())}); spool: "
                 + ", ".join(f"{s} {n}" for s, n in statuses.items() if n))  # fmt: skip
    findings.add(f"- all delivered {time.monotonic() - began:.1f} s after the last message")
    for failure in failures[:5]:
        findings.add(f"  - refused: {failure}")


def abuse(findings, victim: stack.Person, sender: stack.Person) -> None:
    """Guesses on the submission port from four threads, while a colleague keeps sending."""
    attempts, latencies, done = [], [], threading.Event()

    def guess(n: int):
        for k in range(25):
            try:
                with smtplib.SMTP("127.0.0.1", settings.GATEWAY_SUBMISSION_PORT, timeout=30) as s:
                    s.login(victim.login, f"mauvais-{n}-{k}")
            except (OSError, smtplib.SMTPException) as exc:
                attempts.append(getattr(exc, "smtp_code", 0))

    def legitimate():
        while not done.is_set():
            begin = time.perf_counter()
            with smtplib.SMTP("127.0.0.1", settings.GATEWAY_SUBMISSION_PORT, timeout=60) as s:
                s.login(sender.login, stack.PASSWORD)
                message = EmailMessage()
                message["From"], message["To"] = sender.mailbox.address, sender.mailbox.address
                message["Subject"] = "Envoi pendant l'attaque"
                message.set_content("Bonjour.\n")
                s.send_message(message)
            latencies.append(time.perf_counter() - begin)
            time.sleep(0.3)

    legit = threading.Thread(target=legitimate)
    legit.start()
    guessers = [threading.Thread(target=guess, args=(n,)) for n in range(4)]
    for thread in guessers:
        thread.start()
    for thread in guessers:
        thread.join()
    done.set()
    legit.join()
    codes = {code: attempts.count(code) for code in sorted(set(attempts))}
    counted = AccountEvent.objects.filter(user=victim.user, kind="login_failed").count()
    status = User.objects.get(pk=victim.user.pk).status
    try:
        with smtplib.SMTP("127.0.0.1", settings.GATEWAY_SUBMISSION_PORT, timeout=30) as s:
            s.login(victim.login, stack.PASSWORD)
        right = "accepted"
    except smtplib.SMTPException as exc:
        right = f"refused ({getattr(exc, 'smtp_code', '?')})"
    findings.add(f"- {len(attempts)} wrong passwords from 4 threads; replies: "
                 + ", ".join(f"{code} × {n}" for code, n in codes.items()))  # fmt: skip
    findings.add(f"- in the account's history: {counted} failed sign-ins; account {status}; "
                 f"the right password just after: {right}")
    findings.add(f"- a colleague's submission meanwhile (login + one message, "
                 f"{len(latencies)} times): median {statistics.median(latencies) * 1000:.0f} ms, "
                 f"max {max(latencies) * 1000:.0f} ms")


def hostile(findings, person: stack.Person) -> None:
    """Each hostile message delivered, then every page that shows it opened."""
    raws = chaos_inputs.messages()
    for raw in raws.values():
        lmtp_deliver(raw, mail_from="x@example.org", imap_users=[person.login])
    with imap_session(person.login) as box:
        uids = [e.uid for e in box.list_page("INBOX", page=1, page_size=500).envelopes]
    client = Client(raise_request_exception=False, HTTP_HOST="127.0.0.1")
    client.force_login(person.user)
    box = person.mailbox.id
    pages = [f"/mail/boite/{box}/dossier/INBOX/"]
    for uid in uids:
        base = f"/mail/boite/{box}/message/INBOX/{uid}/"
        pages += [base, f"{base}corps/", f"{base}entetes/", f"{base}source/",
                  f"{base}conversation/", f"{base}imprimer/"]  # fmt: skip
    errors, slowest, codes = [], 0.0, {}
    for page in pages:
        begin = time.perf_counter()
        response = client.get(page)
        took = time.perf_counter() - begin
        if took > 1:
            print(f"  slow: {page} {took:.1f} s", flush=True)
        slowest = max(slowest, took)
        codes[response.status_code] = codes.get(response.status_code, 0) + 1
        if response.status_code >= 500:
            errors.append(f"{page} → {response.status_code}")
    answers = ", ".join(f"{code} × {n}" for code, n in sorted(codes.items()))
    findings.add(f"- {len(raws)} hostile messages ({', '.join(raws)}), {len(pages)} pages "
                 f"opened ({answers}): **{len(errors)} answered 5xx**; slowest page "
                 f"{slowest * 1000:.0f} ms")
    for error in errors[:10]:
        findings.add(f"  - {error}")


def run(var_dir: Path, redis, count: int) -> None:
    stack.migrate()
    people = [stack.make_person(f"chaos.{n:02d}") for n in range(PEOPLE)]
    server = stack.dovecot()
    server.start()
    controllers = build_controllers(settings.GATEWAY_INBOUND_PORT,
                                    settings.GATEWAY_SUBMISSION_PORT)  # fmt: skip
    for controller in controllers:
        controller.start()
    # Beat apart from the worker, as production runs them: each is killed by itself.
    worker = CeleryWorker(var_dir / "chaos-worker.log", beat=False)
    worker.start()
    beat = CeleryBeat(var_dir / "chaos-beat.log")
    beat.start()
    sections = {}
    try:
        for title, part in [
            ("Mail through kills of the worker, Dovecot and Redis",
             lambda f: kills(f, server, worker, redis, people, count)),
            ("Scheduled sending and sweeps through kills of beat",
             lambda f: chaos_beat.kills(f, server, beat, people[3], people[4])),
            # Before the guessing: its failures from 127.0.0.1 make every later sign-in from
            # there wait (the per-IP delay), as they would for a real attacker's neighbours.
            ("Sign-in storm on the web", lambda f: chaos_web.storm(f, var_dir, server, people)),
            ("Web workers killed while messages are sent",
             lambda f: chaos_web.kills(f, var_dir, server, people, max(10, count // 10))),
            ("Password guessing on the submission port",
             lambda f: abuse(f, people[0], people[1])),
            ("Hostile messages in every page", lambda f: hostile(f, people[2])),
        ]:  # fmt: skip
            print(f"== {title}", flush=True)
            sections[title] = Findings()
            part(sections[title])
    finally:
        close_all_sessions()
        beat.stop()
        worker.stop()
        for controller in controllers:
            controller.stop()
        server.stop()
    _write(sections, count)


def _write(sections: dict[str, Findings], count: int) -> None:
    output = Path(settings.BASE_DIR) / "docs" / "benchmarks-chaos.md"
    lines = [
        "# Fault and abuse campaign (`make chaos`)", "",
        f"Written by `make chaos` (`bench/chaos.py`) on {datetime.now():%Y-%m-%d %H:%M}; "
        f"{count} tagged messages to {PEOPLE} people. A private stack on loopback: SQLite, "
        "Dovecot, the gateway, a Celery worker and beat apart (spool and scheduled-send sweeps "
        "every 2 s), and a Redis of its own. Every attack comes from 127.0.0.1. Load average "
        "at the end: "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (latencies on a busy machine are "
        "upper bounds).", "",
        *machine.describe().lines(), "",
    ]  # fmt: skip
    for title, findings in sections.items():
        lines += [f"## {title}", "", *findings.lines, ""]
    # The cluster's campaign (`make cluster-chaos`) writes its own section: it is kept.
    kept = cluster_plan.section_of(output.read_text() if output.exists() else "", "cluster-chaos")
    text = "\n".join(lines) + "\n"
    output.write_text(cluster_plan.with_section(text, "cluster-chaos", kept) if kept else text)
    print(f"Written to {output}")
