"""Delivery rate of the whole pipeline against raw LMTP into the same Dovecot.

Pipeline: the message is submitted on the gateway's submission port (as the web app does),
spooled, and delivered by a Celery worker subprocess (spam, rules, vacation, forwarding
included); the clock stops when the spool row says every recipient was served. Floor: the
same bytes handed straight to Dovecot's LMTP socket in one transaction, as fast as Dovecot
itself can store them."""

import time
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password

from accounts.models import User
from devstack.processes import CeleryWorker
from directory.models import DistributionList
from mail.models import Mailbox, SpooledMessage
from mail.pipeline.gateway import build_controllers
from mail.transport import lmtp
from mail.transport.smtp import submit_as

RECIPIENT_COUNTS = (1, 100, 5000)
PREFIX = "bench.rcpt"


@dataclass(frozen=True)
class DeliveryRow:
    recipients: int
    pipeline: list[float]  # seconds per message, all recipients served
    floor: list[float]

    @staticmethod
    def _rate(recipients: int, samples: list[float]) -> float:
        return recipients / sorted(samples)[len(samples) // 2]

    @property
    def pipeline_rate(self) -> float:
        return self._rate(self.recipients, self.pipeline)

    @property
    def floor_rate(self) -> float:
        return self._rate(self.recipients, self.floor)

    @property
    def ratio(self) -> float:
        return self.pipeline_rate / self.floor_rate


def make_recipients(count: int, prefix: str = PREFIX) -> list[Mailbox]:
    """``count`` teachers with personal mailboxes; one shared hash, since nobody signs in."""
    password = make_password(None)
    users = User.objects.bulk_create(
        User(username=f"{prefix}{n:05d}", email=f"{prefix}{n:05d}@{settings.MAIL_DOMAIN}",
             password=password, category=User.Category.TEACHER_SECONDARY,
             first_name="Dominique", last_name=f"Destinataire {n}")
        for n in range(count)
    )  # fmt: skip
    return Mailbox.objects.bulk_create(
        Mailbox(address=u.email, imap_user=u.username, display_name=u.get_full_name(),
                kind=Mailbox.Kind.PERSONAL, owner=u)
        for u in users
    )  # fmt: skip


def _circular(sender: str, to: str, size: int) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = f"Circulaire à {size} destinataires"
    message["Message-ID"] = make_msgid(domain=settings.MAIL_DOMAIN)
    message.set_content("Madame, Monsieur,\n\nVeuillez trouver ci-dessous les consignes.\n" * 20)
    return message.as_bytes(policy=policy.SMTP)  # CRLF, as on the wire


def _pipeline_once(sender_login: str, sender: str, to: str, size: int, timeout: float) -> float:
    raw = _circular(sender, to, size)
    begin = time.perf_counter()
    submit_as(sender_login, raw, mail_from=sender, recipients=[to])
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = SpooledMessage.objects.order_by("-received_at").first()
        if row and row.status != SpooledMessage.Status.PENDING:
            if len(row.delivered_to) != size:
                raise RuntimeError(f"pipeline served {len(row.delivered_to)} of {size}: "
                                   f"{row.last_error}")
            return time.perf_counter() - begin
        time.sleep(0.01)
    raise RuntimeError(f"pipeline did not deliver {size} copies within {timeout:.0f} s")


def _floor_once(sender: str, imap_users: list[str]) -> float:
    raw = _circular(sender, "liste@" + settings.MAIL_DOMAIN, len(imap_users))
    begin = time.perf_counter()
    outcome = lmtp.lmtp_deliver(raw, mail_from=sender, imap_users=imap_users)
    elapsed = time.perf_counter() - begin
    if len(outcome.delivered) != len(imap_users):
        raise RuntimeError(f"raw LMTP refused some recipients: {outcome}")
    return elapsed


def run(sender_login: str, sender: str, var_dir: Path, repeat: int) -> list[DeliveryRow]:
    """Each count measured ``repeat`` times, pipeline and floor alternating, after one
    untimed delivery that creates every Maildir (a first delivery costs more)."""
    mailboxes = make_recipients(max(RECIPIENT_COUNTS))
    controllers = build_controllers(settings.GATEWAY_INBOUND_PORT,
                                    settings.GATEWAY_SUBMISSION_PORT)
    for controller in controllers:
        controller.start()
    worker = CeleryWorker(var_dir / "bench-worker.log")
    worker.start()
    rows = []
    try:
        for size in RECIPIENT_COUNTS:
            chosen = mailboxes[:size]
            if size == 1:
                to = chosen[0].address
            else:
                dlist = DistributionList.objects.create(
                    address=f"bench-{size}@{settings.MAIL_DOMAIN}", name=f"Bench {size}")
                dlist.members.set([m.owner_id for m in chosen])
                to = dlist.address
            imap_users = [m.imap_user for m in chosen]
            _floor_once(sender, imap_users)
            timeout = 60 + size * 0.1
            pipeline, floor = [], []
            for _ in range(repeat):
                floor.append(_floor_once(sender, imap_users))
                pipeline.append(_pipeline_once(sender_login, sender, to, size, timeout))
            rows.append(DeliveryRow(size, pipeline, floor))
            print(f"  {size:>5} recipients: pipeline {rows[-1].pipeline_rate:,.0f}/s, "
                  f"raw LMTP {rows[-1].floor_rate:,.0f}/s", flush=True)
    finally:
        worker.stop()
        for controller in controllers:
            controller.stop()
        # Only matters on a BENCH_DATABASE_URL: the private SQLite file goes with var/.
        DistributionList.objects.filter(address__startswith="bench-").delete()
        Mailbox.objects.filter(imap_user__startswith=PREFIX).delete()
        User.objects.filter(username__startswith=PREFIX).delete()
    return rows


def markdown(rows: list[DeliveryRow], repeat: int) -> list[str]:
    """The report's section; the issue's target (pipeline ≥ half the raw rate) is defined for
    the 5,000-recipient circular, the smaller ones are shown for reference."""
    lines = ["## Delivery: the pipeline against raw LMTP", "",
             "| recipients | pipeline (messages stored / s) | raw LMTP (same Dovecot) | ratio "
             "| target | met? |", "|---|---|---|---|---|---|"]
    for row in rows:
        big = row.recipients == max(RECIPIENT_COUNTS)
        met = ("yes" if row.ratio >= 0.5 else "**no**") if big else "—"
        lines.append(
            f"| {row.recipients:,} | {row.pipeline_rate:,.0f} | {row.floor_rate:,.0f} "
            f"| {row.ratio:.2f}× | {'≥ 0.5× raw' if big else '—'} | {met} |"
        )
    lines += [
        "",
        f"- Median of {repeat} deliveries per line, pipeline and raw alternating, after one "
        "untimed raw delivery that creates the recipients' Maildirs.",
        "- Pipeline: submitted on the gateway's submission port as the bench user (one "
        "address, or a distribution list for 100 and 5,000), spooled, delivered by a Celery "
        "worker subprocess (threads pool, 2 threads) with every pipeline step; timed until "
        "the spool row records all recipients served. Raw: the same message to the same "
        "mailboxes in one LMTP transaction on Dovecot's socket.",
        "",
    ]
    return lines
