"""Several nodes on one machine (#18): the delivery rate of two Celery workers against one,
and the webmail's throughput on two web nodes taken in turn against one, on the bench's own
Dovecot, database and Redis.

Delivery: BENCH_CLUSTER_MESSAGES (default 600) messages, one recipient each among 20
people, accepted by the gateway while no worker runs; then one worker process (or two, as
two nodes would run them; threads pool, 2 threads each, as devstack/cluster.py's nodes)
starts and delivers them. The rate counts the messages finished between the 10th and the
90th percentile of their finishing times (a worker's start-up is left out). The CPU of the
whole machine over that window says what bounds the second worker.

Web: gunicorn nodes of one process and 4 threads each (a node of devstack/cluster.py);
SESSIONS browsers sign in once and list the INBOX in a loop, each request to the next node
in turn (one session cookie, a keep-alive connection to each node): a round-robin load
balancer without a proxy process of its own on the two cores."""

import os
import smtplib
import sys
import threading
import time
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from bench import delivery, load, stack
from bench.cluster_plan import with_section
from bench.concurrency import NodeSessions, run_loops
from bench.stack import PASSWORD, Person
from bench.stats import Throughput
from convergence.celery import app
from devstack.cluster import Process, wait_until
from devstack.loopback import free_port, listening
from mail.models import Mailbox, SpooledMessage
from mail.pipeline.gateway import build_controllers

PREFIX = "bench.noeud"
RECIPIENTS = 20
SESSIONS = 20
SECTION = "cluster-speed"


@dataclass(frozen=True)
class DeliveryRate:
    workers: int
    messages: int
    rate: float  # messages delivered per second, 10th to 90th percentile
    busy_cores: float  # CPU busy over that window, in cores (all processes of the machine)
    pipeline_cores: float  # of which the workers and Dovecot


def _cpu_busy() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine so far, from /proc/stat."""
    fields = [float(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


def _spool(count: int, recipients: list[Mailbox]) -> None:
    """``count`` messages accepted on the inbound port from four connections at once."""
    numbers, lock = iter(range(count)), threading.Lock()

    def loop():
        with smtplib.SMTP("127.0.0.1", settings.GATEWAY_INBOUND_PORT, timeout=60) as smtp:
            while True:
                with lock:
                    n = next(numbers, None)
                if n is None:
                    return
                message = EmailMessage()
                message["From"] = "famille.durand@example.org"
                message["To"] = recipients[n % len(recipients)].address
                message["Subject"] = f"Message {n} de la mesure"
                message.set_content("Bonjour,\n\nun message parmi d'autres.\n" * 10)
                smtp.send_message(message)

    threads = [threading.Thread(target=loop) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def _worker(var_dir: Path, name: str) -> Process:
    return Process(name, [
        sys.executable, "-m", "celery", "-A", "convergence", "worker", "--pool", "threads",
        "--concurrency", "2", "--loglevel", "INFO", "-n", f"{name}@%h",
    ], {**os.environ}, var_dir)  # fmt: skip


def _deliver(
    var_dir: Path, workers: int, count: int, recipients: list[Mailbox], dovecot: int
) -> DeliveryRate:
    mark = timezone.now()
    _spool(count, recipients)
    mine = SpooledMessage.objects.filter(received_at__gte=mark)
    processes = [_worker(var_dir, f"speed-{workers}-{n}") for n in range(workers)]
    samples: list[tuple[float, tuple[float, float, int]]] = []
    done = threading.Event()

    def sample_cpu():  # every 0.2 s, to read the CPU over the measured window
        while not done.is_set():
            groups = [dovecot] + [p.process.pid for p in processes if p.process]
            samples.append((time.time(), (*_cpu_busy(), sum(map(stack.cpu_ticks, groups)))))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample_cpu)
    sampler.start()
    try:
        for process in processes:
            process.start()
        pending = mine.filter(status=SpooledMessage.Status.PENDING)
        wait_until(lambda: not pending.exists(), 120 + count, "every message delivered")
    finally:
        done.set()
        sampler.join()
        for process in processes:
            process.stop()
    finished = sorted(t.timestamp() for t in mine.values_list("finished_at", flat=True))
    low, high = len(finished) // 10, len(finished) * 9 // 10
    begin, end = finished[low], finished[high]
    window = [cpu for at, cpu in samples if begin <= at <= end] or [s[1] for s in samples]
    (busy0, total0, own0), (busy1, total1, own1) = window[0], window[-1]
    cores = (busy1 - busy0) / (total1 - total0) * (os.cpu_count() or 1) if total1 > total0 else 0
    elapsed = max(end - begin, 1e-6)
    own = (own1 - own0) / os.sysconf("SC_CLK_TCK") / elapsed
    return DeliveryRate(workers, count, (high - low) / elapsed, cores, own)


def delivery_rates(var_dir: Path, count: int, dovecot: int) -> list[DeliveryRate]:
    """``dovecot``: the process group of the bench's Dovecot, whose CPU counts."""
    app.loader.import_default_modules()  # the gateway here queues mail.tasks.deliver
    recipients = delivery.make_recipients(RECIPIENTS, prefix=PREFIX)
    controllers = build_controllers(settings.GATEWAY_INBOUND_PORT,
                                    settings.GATEWAY_SUBMISSION_PORT)  # fmt: skip
    for controller in controllers:
        controller.start()
    try:
        _deliver(var_dir, 1, RECIPIENTS, recipients, dovecot)  # every Maildir made, untimed
        rates = []
        for workers in (1, 2):
            rates.append(_deliver(var_dir, workers, count, recipients, dovecot))
            print(f"  {workers} worker(s): {rates[-1].rate:.1f} messages/s, "
                  f"{rates[-1].busy_cores:.1f} cores busy, {rates[-1].pipeline_cores:.1f} "
                  "by the workers and Dovecot", flush=True)
        return rates
    finally:
        for controller in controllers:
            controller.stop()
        Mailbox.objects.filter(imap_user__startswith=PREFIX).delete()
        delivery.User.objects.filter(username__startswith=PREFIX).delete()


def web_throughput(person: Person, var_dir: Path, seconds: float) -> list[Throughput]:
    """One web node, then two taken in turn; SESSIONS browsers listing the INBOX."""
    path = reverse("mail:folder", args=[person.mailbox.id, "INBOX"])
    ports = [free_port(), free_port()]
    nodes = [Process(f"web-{n}", [
        sys.executable, "-m", "gunicorn", "convergence.wsgi:application", "--bind",
        f"127.0.0.1:{port}", "--workers", "1", "--threads", "4",
    ], {**os.environ}, var_dir) for n, port in enumerate(ports)]  # fmt: skip
    results = []
    try:
        for count in (1, 2):
            nodes[count - 1].start()
            wait_until(lambda p=ports[count - 1]: listening("127.0.0.1", p), 60, "gunicorn")
            browsers = []
            for _ in range(SESSIONS):
                browser = NodeSessions(ports[:count])
                browser.next().login(person.login, PASSWORD)
                browsers.append(browser)

            def listing(browser: NodeSessions):
                def get() -> None:
                    status, _ = browser.next().request("GET", path)
                    if status != 200:
                        raise RuntimeError(f"GET {path} answered {status}")

                return get

            results.append(run_loops([listing(b) for b in browsers], 3.0, seconds))
            print(f"  {count} web node(s): {results[-1].rate:.1f} pages/s", flush=True)
    finally:
        for node in nodes:
            node.stop()
    return results


def markdown(rates: list[DeliveryRate], web: list[Throughput]) -> list[str]:
    one, two = rates
    ratio = two.rate / one.rate if one.rate else 0.0
    web_ratio = web[1].rate / web[0].rate if web[0].rate else 0.0
    cores = os.cpu_count() or 1
    per_message = one.pipeline_cores / one.rate if one.rate else 0.0
    shared = (
        f"the workers and Dovecot used {one.pipeline_cores:.1f} cores with one worker and "
        f"{two.pipeline_cores:.1f} with two, of {cores} cores {one.busy_cores:.1f} and "
        f"{two.busy_cores:.1f} busy: on a machine busy with other work, a second process "
        "also wins a larger share of the cores, so a quiet machine may give another ratio"
    )
    bound = shared if ratio >= 1.7 else (
        f"the machine's {cores} cores were already {one.busy_cores:.1f} cores busy with one "
        f"worker, {one.pipeline_cores:.1f} of them by the worker and Dovecot "
        f"({per_message * 1000:.0f} ms of CPU a message), the rest by the database and "
        "every other process of the machine: a second worker only "
        f"shares the same cores, and {cores} cores at that cost deliver at most "
        f"{cores / per_message if per_message else 0:.0f} messages / s"
        if one.busy_cores >= 0.8 * cores
        else "the cores were not all busy: the bound is elsewhere (the database's locks, "
        "Dovecot's per-mailbox locks)"
    )
    return [
        "## Several nodes on one machine: two workers, two web nodes", "",
        "| measure | one | two | two ÷ one | target | met? |", "|---|---|---|---|---|---|",
        f"| delivery, messages / s ({one.messages} messages, 1 recipient each) "
        f"| {one.rate:.1f} ({one.busy_cores:.1f} cores busy, {one.pipeline_cores:.1f} by the "
        f"worker and Dovecot) | {two.rate:.1f} ({two.busy_cores:.1f} cores busy, "
        f"{two.pipeline_cores:.1f} by the workers and Dovecot) | {ratio:.2f}× | ≥ 1.7× "
        f"| {'yes' if ratio >= 1.7 else '**no**'} |",
        f"| webmail INBOX, pages / s ({SESSIONS} sessions) | {web[0].rate:.1f} "
        f"| {web[1].rate:.1f} | {web_ratio:.2f}× | reported | — |",
        "",
        "- Delivery: the messages accepted by the gateway while no worker runs, then one "
        "Celery worker process (threads pool, 2 threads), or two, delivers them into the "
        "bench's Dovecot; rate between the 10th and 90th percentile of the finishing times. "
        f"{'Met: ' if ratio >= 1.7 else 'What bounds the second worker: '}{bound}. "
        f"Load average at the end: "
        f"{os.getloadavg()[0]:.1f} on {cores} cores (other work on the machine counts in the "
        "busy cores).",
        f"- Written on {timezone.localtime():%Y-%m-%d %H:%M}, database {connection.vendor}, "
        f"{os.cpu_count()} cores shared with other work (`BENCH_CLUSTER_ONLY=1` runs this "
        "section alone).",
        "- Web: gunicorn nodes of one process and 4 threads each; each session signs in once "
        "and sends each request to the next node in turn (round-robin, no proxy process); "
        f"errors: {web[0].errors} with one node, {web[1].errors} with two.",
        "",
    ]  # fmt: skip


def section(person: Person, var_dir: Path, seconds: float, server) -> list[str]:
    """The report's section, between markers that BENCH_CLUSTER_ONLY=1 rewrites; ``server``
    is the bench's Dovecot."""
    print("Measuring two workers and two web nodes beside one…", flush=True)
    count = int(os.environ.get("BENCH_CLUSTER_MESSAGES", "600"))
    rates = delivery_rates(var_dir, count, server.process.pid)
    web = web_throughput(person, var_dir, seconds)
    return [f"<!-- {SECTION} -->", *markdown(rates, web), f"<!-- /{SECTION} -->", ""]


def only(var_dir: Path, login: str, output: Path, seconds: float) -> None:
    """BENCH_CLUSTER_ONLY=1: this section alone, on an INBOX of 500 messages, written in
    place in the report (the rest of it is kept)."""
    stack.migrate()
    person = stack.make_person(login)
    server = stack.dovecot()
    server.start()
    try:
        load.load(server.config.config_path, login, person.user.email,
                  [load.Folder("INBOX", 500, 2026)])  # fmt: skip
        lines = section(person, var_dir, seconds, server)[1:-2]
    finally:
        server.stop()
        stack.forget(person)
    text = output.read_text() if output.exists() else ""
    output.write_text(with_section(text, SECTION, lines))
    print("\n".join(lines))
    print(f"Written to {output}")
