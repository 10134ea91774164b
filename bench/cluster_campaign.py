"""The campaign of `make cluster-chaos` (see bench/cluster_chaos.py), on its own cluster."""

import os
import smtplib
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.utils import make_msgid
from pathlib import Path

import imapclient  # the tally reads every INBOX raw, beside the webmail
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.urls import reverse

from accounts.models import DovecotHome, User
from bench import machine, stack
from bench.cluster_plan import Kill, Tally, kill_plan, tally, with_section
from bench.concurrency import NodeSessions
from devstack.cluster import Node, common_environment, start_nodes, stop_nodes, wait_until
from devstack.dovecot import loopback_cluster
from devstack.loopback import listening
from directory.models import Etablissement
from mail.models import Mailbox, SpooledMessage

TAG = "X-Cluster-Chaos"
SENDERS = 4  # threads sending at once, as several mail servers would
SECTION = "cluster-chaos"


@dataclass
class Person:
    login: str
    mailbox_id: int
    backend: str
    home: str = ""  # the node whose web process signed them in
    browser: NodeSessions | None = None
    subjects: list[str] = field(default_factory=list)


def _inbox(browser: NodeSessions, port: int, person: Person, subjects: list[str]) -> str:
    """"read" when the person's INBOX page on that node lists ``subjects``, otherwise what
    went wrong."""
    path = reverse("mail:folder", args=[person.mailbox_id, "INBOX"])
    status, page = browser.sessions[port].request("GET", path)
    if status in (301, 302):
        return "signed out"
    if status != 200:
        return f"HTTP {status}"
    text = page.decode(errors="replace")
    missing = [s for s in subjects if s not in text]
    return f"{len(missing)} subjects missing" if missing else "read"


def _people(count: int, backends: list[str]) -> list[Person]:
    """``count`` teachers, one password hash for all, placed on the backends in turn."""
    etablissement, _ = Etablissement.objects.get_or_create(
        uai="0311234Y", defaults={"name": "Lycée Pierre-de-Fermat", "kind": "lycee"}
    )
    password = make_password(stack.PASSWORD)
    logins = [f"cluster.{n:03d}" for n in range(count)]
    users = User.objects.bulk_create(
        User(username=login, email=f"{login}@{settings.MAIL_DOMAIN}", password=password,
             category=User.Category.TEACHER_SECONDARY, etablissement=etablissement,
             first_name="Camille", last_name=f"Grappe {n}")
        for n, login in enumerate(logins)
    )  # fmt: skip
    mailboxes = Mailbox.objects.bulk_create(
        Mailbox(address=u.email, imap_user=u.username, display_name=u.get_full_name(),
                kind=Mailbox.Kind.PERSONAL, owner=u)
        for u in users
    )  # fmt: skip
    people = [Person(m.imap_user, m.id, backends[n % len(backends)])
              for n, m in enumerate(mailboxes)]  # fmt: skip
    DovecotHome.objects.bulk_create(DovecotHome(imap_user=p.login, backend=p.backend)
                                    for p in people)  # fmt: skip
    return people


def _sign_in(people: list[Person], nodes: list[Node]) -> None:
    """Through the sign-in form of each person's home node, half on each, four at a time."""
    ports = [node.web_port for node in nodes]

    def one(index_person):
        index, person = index_person
        node = nodes[index % len(nodes)]
        person.home, person.browser = node.name, NodeSessions(ports)
        person.browser.sessions[node.web_port].login(person.login, stack.PASSWORD)

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(one, enumerate(people)))


@dataclass
class Traffic:
    """What the senders and the reader saw while the processes were killed."""

    accepted: dict[str, str] = field(default_factory=dict)  # tag → login
    given_up: list[str] = field(default_factory=list)
    failovers: int = 0  # a gateway that did not answer, the other one tried
    retries: int = 0  # a 4xx from both, tried again
    reads: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def sent(self) -> int:
        return len(self.accepted) + len(self.given_up)


def _message(run: str, n: int, person: Person) -> tuple[str, EmailMessage]:
    tag = f"{run}-{n}"
    message = EmailMessage()
    message["From"] = "famille.durand@example.org"
    message["To"] = f"{person.login}@{settings.MAIL_DOMAIN}"
    message["Subject"] = f"Grappe {tag}"
    message[TAG] = tag
    message["Message-ID"] = make_msgid(domain="example.org")  # the same when sent again
    message.set_content("Bonjour,\n\nun message parmi d'autres.\n")
    return tag, message


def _send(traffic: Traffic, message: EmailMessage, ports: list[int]) -> bool:
    """To the first gateway, the next one when it does not answer; again after a 4xx, for
    up to two minutes, as a mail server would."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        for index, port in enumerate(ports):
            try:
                with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
                    smtp.send_message(message)
                return True
            except smtplib.SMTPResponseException as exc:
                if exc.smtp_code >= 500:
                    return False
            except (OSError, smtplib.SMTPException):
                pass
            with traffic.lock:
                if index + 1 < len(ports):
                    traffic.failovers += 1
        with traffic.lock:
            traffic.retries += 1
        time.sleep(0.5)
    return False


def _senders(traffic: Traffic, people: list[Person], nodes: list[Node], count: int, run: str):
    numbers = iter(range(count))
    numbers_lock = threading.Lock()

    def loop():
        while True:
            with numbers_lock:
                n = next(numbers, None)
            if n is None:
                return
            person = people[n % len(people)]
            tag, message = _message(run, n, person)
            first = n % len(nodes)  # the gateways taken in turn, as two MX of equal weight
            ports = [node.inbound for node in nodes[first:] + nodes[:first]]
            ok = _send(traffic, message, ports)
            with traffic.lock:
                if ok:
                    traffic.accepted[tag] = person.login
                    person.subjects.append(message["Subject"])
                else:
                    traffic.given_up.append(tag)

    threads = [threading.Thread(target=loop) for _ in range(SENDERS)]
    for thread in threads:
        thread.start()
    return threads


def _reader(traffic: Traffic, people: list[Person], nodes: list[Node], done: threading.Event):
    """People reading their INBOX meanwhile, on either web node in turn; a node that does not
    answer is skipped for the other, as a load balancer's health check would."""
    n = 0
    while not done.is_set():
        person = people[n % len(people)]
        order = [nodes[n % 2], nodes[(n + 1) % 2]]
        n += 1
        for index, node in enumerate(order):
            try:  # the page only: deliveries lag behind the sending
                outcome = _inbox(person.browser, node.web_port, person, [])
            except OSError:
                outcome = "no answer"
            with traffic.lock:
                traffic.reads[outcome] += 1
            if outcome != "no answer" or index == 1:
                break
            with traffic.lock:
                traffic.reads["failed over"] += 1


def _campaign(plan: list[Kill], people, nodes, count: int, run: str) -> tuple[Traffic, list]:
    traffic, done = Traffic(), threading.Event()
    senders = _senders(traffic, people, nodes, count, run)
    reader = threading.Thread(target=_reader, args=(traffic, people, nodes, done))
    reader.start()
    by_name = {node.name: node for node in nodes}
    done_kills = []
    began = time.monotonic()
    killers = []
    for kill in plan:
        while traffic.sent < kill.after and any(t.is_alive() for t in senders):
            time.sleep(0.02)
        done_kills.append((kill, traffic.sent, time.monotonic() - began))
        # SIGKILL at once; reaping what the group leaves (zombies) must not delay the next.
        killers.append(threading.Thread(target=getattr(by_name[kill.node], kill.process).kill))
        killers[-1].start()
        print(f"  killed: {kill.describe()} (at {traffic.sent} sent)", flush=True)
    for thread in senders + killers:
        thread.join()
    done.set()
    reader.join()
    return traffic, done_kills


def _drain(timeout: float) -> float:
    began = time.monotonic()
    pending = SpooledMessage.objects.filter(status=SpooledMessage.Status.PENDING)
    wait_until(lambda: not pending.exists(), timeout, "the spool emptied")
    return time.monotonic() - began


def _found(people: list[Person], proxy_port: int) -> dict[str, list[str]]:
    """Every copy's tag in each INBOX, over IMAP through the Dovecot proxy."""
    parser, found = BytesHeaderParser(), {}
    header = f"BODY[HEADER.FIELDS ({TAG.upper()})]".encode()
    for person in people:
        client = imapclient.IMAPClient("127.0.0.1", port=proxy_port, ssl=False, timeout=60)
        try:
            client.login(f"{person.login}*{settings.DOVECOT_MASTER_USER}",
                         settings.DOVECOT_MASTER_SECRET)  # fmt: skip
            client.select_folder("INBOX", readonly=True)
            uids = client.search(["ALL"])
            data = client.fetch(uids, [f"BODY.PEEK[HEADER.FIELDS ({TAG})]"]) if uids else {}
            found[person.login] = [parser.parsebytes(item[header]).get(TAG, "").strip()
                                   for item in data.values()]  # fmt: skip
        finally:
            client.logout()
    return found


def _readings(people: list[Person], nodes: list[Node]) -> Counter:
    """Every person's INBOX through each of ``nodes``' web process, with their own session."""
    outcomes = Counter()
    for node in nodes:
        for person in people:
            try:
                outcomes[_inbox(person.browser, node.web_port, person, person.subjects)] += 1
            except OSError:
                outcomes["no answer"] += 1
    return outcomes


def run(var_dir: Path, count: int, users: int, seed: int, started: float) -> bool:
    stack.migrate()
    stores, proxy = loopback_cluster(var_dir / "cluster", connection.settings_dict)
    servers = []
    nodes: list[Node] = []
    try:
        for server in (*stores, proxy):
            server.start()
            servers.append(server)
        settings.DOVECOT_BACKENDS = list(proxy.config.backends)
        people = _people(users, [name for name, *_ in proxy.config.backends])
        nodes = start_nodes(var_dir / "nodes", common_environment(
            proxy, os.environ["DATABASE_URL"]), beat=True)  # fmt: skip
        print(f"Signing {users} people in…", flush=True)
        _sign_in(people, nodes)
        plan = kill_plan(seed, count, tuple(node.name for node in nodes))
        print(f"Sending {count} messages…", flush=True)
        run_id = uuid.uuid4().hex[:8]
        traffic, kills = _campaign(plan, people, nodes, count, run_id)
        drained = _drain(300 + count * 0.5)
        result = tally(traffic.accepted, _found(people, proxy.config.imap_port))
        web_kill = next(k for k in plan if k.process == "web")
        left = [n for n in nodes if n.name != web_kill.node]
        after_loss = _readings(people, left)
        lost_node = next(n for n in nodes if n.name == web_kill.node)
        lost_node.web.start()  # the node comes back (or a new one joins)
        wait_until(lambda: listening("127.0.0.1", lost_node.web_port), 120, "web back")
        both = _readings(people, nodes)
        resent = sum(node.gateway.log().count("not stored twice") for node in nodes)
        figures = Figures(count, users, seed, plan, kills, traffic, drained, result, people,
                          web_kill.node, after_loss, both,
                          SpooledMessage.objects.count(), resent)  # fmt: skip
    finally:
        stop_nodes(nodes)
        for server in servers:
            server.stop()
    _write(figures, time.monotonic() - started)
    return figures.proven


@dataclass
class Figures:
    count: int
    users: int
    seed: int
    plan: list[Kill]
    kills: list
    traffic: Traffic
    drained: float
    result: Tally
    people: list[Person]
    lost_web: str
    after_loss: Counter
    both: Counter
    spooled: int
    resent: int  # received again after a 250 lost with its gateway, recognised (gateway logs)

    @property
    def proven(self) -> bool:
        readings = self.after_loss["read"] == self.users and self.both["read"] == 2 * self.users
        return self.result.exactly_once and not self.traffic.given_up and readings

    def lines(self, took: float) -> list[str]:
        r, t = self.result, self.traffic
        backends = ", ".join(f"{n} on {b}" for b, n in sorted(Counter(
            p.backend for p in self.people).items()))
        homes = ", ".join(f"{n} on node {h}" for h, n in sorted(Counter(
            p.home for p in self.people).items()))
        moved = sum(1 for p in self.people if p.home == self.lost_web)
        return [
            "## Several nodes: a node killed at random under mail (`make cluster-chaos`)", "",
            f"Written by `make cluster-chaos` (`bench/cluster_chaos.py`) on "
            f"{datetime.now():%Y-%m-%d %H:%M}, in {took:.0f} s; **seed {self.seed}** "
            f"(`CLUSTER_CHAOS_SEED={self.seed} CLUSTER_CHAOS_MESSAGES={self.count} "
            f"CLUSTER_CHAOS_USERS={self.users} make cluster-chaos` replays the same kills). "
            "Two nodes on loopback, each with its own var directory, gateway, Celery worker "
            "(with its beat; spool sweep every 2 s) and gunicorn (one process, 4 threads); "
            "two Dovecot backends behind a Dovecot proxy; a PostgreSQL database made for the "
            "run; a private Redis. Load average at the end: "
            f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores, shared with other work "
            "(times are upper bounds).", "",
            f"- {self.users} people, {backends}; signed in on the web, {homes}",
            f"- node {self.plan[0].node} lost whole (the other keeps every process):",
            *(f"  - its {kill.process} killed (SIGKILL) {at:.1f} s in, "
              f"{sent} messages sent (planned: after {kill.after})"
              for kill, sent, at in self.kills),
            f"- **{self.count} messages sent**, {r.accepted} accepted (250), "
            f"{len(t.given_up)} given up after 2 min; {t.failovers} times the other gateway "
            f"was tried, {t.retries} rounds again after both failed",
            f"- every INBOX read over IMAP through the proxy: {r.stored} copies for "
            f"{r.accepted} accepted: **{Tally.count(r.lost)} lost, "
            f"{Tally.count(r.doubled)} doubled, {Tally.count(r.stray)} stray** "
            f"({len(r.lost)} people with a loss, {len(r.doubled)} with a double)",
            f"- spool empty {self.drained:.1f} s after the last message; {self.spooled} "
            f"messages spooled for {r.accepted} accepted; {self.resent} received again after "
            "their 250 was lost with their gateway, recognised and not spooled twice",
            "- web reads meanwhile (either node in turn, the other when one does not answer): "
            + ", ".join(f"{k} × {n}" for k, n in sorted(t.reads.items())),
            f"- web process of node {self.lost_web} lost: every session on the node left "
            f"({moved} of them signed in on the lost one): "
            + ", ".join(f"{k} × {n}" for k, n in sorted(self.after_loss.items()))
            + " (read: the INBOX page lists every subject sent to them)",
            f"- node {self.lost_web}'s web process started again: every INBOX through both "
            "web nodes with the same sessions: "
            + ", ".join(f"{k} × {n}" for k, n in sorted(self.both.items())),
            f"- **{'proven' if self.proven else 'NOT proven'}**: every message delivered "
            "exactly once, every INBOX readable through either web node, every sign-in kept",
            *([f"  - lost: {p}: {', '.join(tags[:5])}" for p, tags in list(r.lost.items())[:5]]),
            *([f"  - doubled: {p}: {', '.join(tags[:5])}"
               for p, tags in list(r.doubled.items())[:5]]),
            "",
        ]  # fmt: skip


def _write(figures: Figures, took: float) -> None:
    output = Path(settings.BASE_DIR) / "docs" / "benchmarks-chaos.md"
    text = output.read_text() if output.exists() else ""
    lines = [*figures.lines(took), *machine.describe().lines()]
    output.write_text(with_section(text, SECTION, lines))
    print("\n".join(lines))
    print(f"Written to {output}")

