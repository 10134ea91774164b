"""Issue #14's scheduling targets, each beside its floor measured in the same run.

Rooms: 20 people book the same slot of one room at the same moment (20 threads released by
a barrier, each running what the worker's ``book_room`` task runs: the check under the room's
lock, the room's copy in its calendar, the REPLY applied to the organiser's event, which is in
their agenda beforehand). Exactly
one must win, and every answer must come within 1 s. Floor: one booking of a free slot with
nobody else booking.

Invitations: an iMIP REQUEST from a colleague to IMIP_BENCH_ATTENDEES (default 200) internal
attendees, submitted on the gateway's submission port and delivered by a Celery worker
subprocess; the clock stops when every attendee's agenda holds the invitation: their
``ReceivedItip`` row recorded (no longer only claimed, as it is before the copy is written) and
the copy in their index (the sync the hook queued, on the same worker: left over, it would run
during the next plain delivery and be counted there). Floor: the same mail delivered
plainly, its calendar part labelled ``text/plain`` so that delivery stores it without
applying it; the clock stops when the spool row says every copy is stored. Target: the
invitation's rate ≥ ½ the plain rate. Two rows more show what the store allows: the copies
written into Radicale's storage without HTTP (dav/storage_writes.py, as the worker writes
them where it shares Radicale's folder), and PUT into Radicale (as a worker that does not).

SCHEDULING_PART=bookings or =invitations runs that part alone (both by default).
"""

import os
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from bench.agenda import PARIS, WEEK
from bench.stats import Timings

BOOKERS = 20
ANSWER_LIMIT = 1.0
RATE_RATIO = 0.5
PREFIX = "bench.inv"
ROOM = "salle-bench.0311234y"


@dataclass(frozen=True)
class SchedulingResult:
    rounds: int
    bookings: list[float]  # every answer's latency, all rounds
    winners: list[int]  # ACCEPTED per round
    floor_booking: Timings | None  # None, like the lists empty: that part not run
    attendees: int
    invitation: list[float]  # seconds until every agenda holds it
    plain: list[float]  # seconds until every copy is stored
    store: list[float] = field(default_factory=list)  # the copies PUT into Radicale (HTTP)
    storage: list[float] = field(default_factory=list)  # written into its storage, no HTTP

    @staticmethod
    def _median(samples: list[float]) -> float:
        return sorted(samples)[len(samples) // 2]

    @property
    def invitation_rate(self) -> float:
        return self.attendees / self._median(self.invitation)

    @property
    def plain_rate(self) -> float:
        return self.attendees / self._median(self.plain)

    @property
    def store_rate(self) -> float:
        return self.attendees / self._median(self.store)

    @property
    def storage_rate(self) -> float:
        return self.attendees / self._median(self.storage)


def _request(organizer: str, room: str, start: datetime, uid: str,
             attendees: list[str] = ()) -> str:  # fmt: skip
    fmt = "%Y%m%dT%H%M%S"
    people = "".join(f"ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:{a}\r\n"
                     for a in [room, *attendees] if a)  # fmt: skip
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Bench//FR\r\nMETHOD:REQUEST\r\n"
        f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20261201T080000Z\r\nSEQUENCE:0\r\n"
        f"SUMMARY:Conseil pédagogique\r\nDTSTART;TZID=Europe/Paris:{start.strftime(fmt)}\r\n"
        f"DTEND;TZID=Europe/Paris:{(start + timedelta(hours=1)).strftime(fmt)}\r\n"
        f"ORGANIZER:mailto:{organizer}\r\n{people}END:VEVENT\r\nEND:VCALENDAR\r\n"
    )


def _organised(person, room, start: datetime) -> str:
    """The organiser's event in their agenda (untimed), which the room's REPLY then updates,
    as the worker's ``book_room`` finds it; returns its REQUEST."""
    from calendar_app import ical
    from dav.client import dav_session

    uid = f"{uuid.uuid4()}@bench"
    text = _request(person.user.email, room.email, start, uid)
    with dav_session(person.user.username) as store:
        if "personnel" not in {c.name for c in store.calendars()}:
            store.make_calendar("personnel", "Personnel", "#000091")
        store.put("personnel", ical.href_for(uid), text.replace("METHOD:REQUEST\r\n", ""),
                  etag=None)  # fmt: skip
    return text


def _bookings(room, people, repeat: int) -> tuple[list[float], list[int], Timings]:
    from django.db import connections

    from bench import stats
    from calendar_app import rooms

    latencies, winners = [], []
    first = datetime(WEEK.year, WEEK.month, WEEK.day, 8, tzinfo=PARIS).replace(tzinfo=None)
    for round_ in range(repeat):
        start = first + timedelta(days=round_ // 8, hours=round_ % 8)
        barrier = threading.Barrier(len(people))
        results: list[tuple[str, float]] = []

        def book(person, text, barrier=barrier, results=results):
            barrier.wait()
            begin = time.perf_counter()
            try:
                results.append((rooms.book(room.id, person.user.id, text),
                                time.perf_counter() - begin))  # fmt: skip
            finally:
                connections.close_all()

        threads = [threading.Thread(target=book, args=(p, _organised(p, room, start)))
                   for p in people]  # fmt: skip
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        latencies += [seconds for _status, seconds in results]
        winners.append(sum(status == "ACCEPTED" for status, _s in results))
    alone, texts = first + timedelta(days=30), {}

    def organise(i: int) -> None:
        texts[i] = _organised(people[0], room, alone + timedelta(hours=i))

    floor = stats.measure(lambda i: rooms.book(room.id, people[0].user.id, texts[i]),
                          repeat=repeat, before=organise)  # fmt: skip
    return latencies, winners, floor


def _mail(sender, attendees: list[str], uid: str, plain: bool) -> bytes:
    """The organiser's iMIP REQUEST as the agenda sends it (or the same labelled text/plain)."""
    start = datetime(WEEK.year, WEEK.month, WEEK.day, 17, tzinfo=PARIS).replace(tzinfo=None)
    message = EmailMessage()
    message["From"] = sender.user.email
    message["To"] = ", ".join(attendees)
    message["Subject"] = "Invitation : Conseil pédagogique"
    message["Message-ID"] = make_msgid(domain="bench.invalid")
    message.set_content("Vous êtes invité au conseil pédagogique.\n" * 5)
    message.add_alternative(_request(sender.user.email, "", start, uid, attendees),
                            subtype="plain" if plain else "calendar",
                            params={} if plain else {"method": "REQUEST"})  # fmt: skip
    return message.as_bytes(policy=policy.SMTP)


def stored(rows: list[tuple[bool, int]], transactions: int, recipients: int) -> bool:
    """Whether every spool row of one submission is done (``rows``: pending?, delivered
    count): a message to more than GATEWAY_MAX_RECIPIENTS is submitted as several SMTP
    transactions, each its own row."""
    if len(rows) < transactions or any(pending for pending, _count in rows):
        return False
    delivered = sum(count for _pending, count in rows)
    if delivered != recipients:
        raise RuntimeError(f"delivered {delivered} of {recipients}")
    return True


def _in_every_agenda(uid: str, count: int) -> bool:
    from calendar_app.models import IndexedEvent, ReceivedItip

    applied = ReceivedItip.objects.filter(uid=uid, claimed_until__isnull=True, sequence__gte=0)
    indexed = IndexedEvent.objects.filter(uid=uid).values("owner_id").distinct()
    return applied.count() == count and indexed.count() == count


def _deliver(sender, attendees: list[str], plain: bool, timeout: float) -> float:
    from django.conf import settings
    from django.utils import timezone

    from mail.models import SpooledMessage
    from mail.transport.smtp import submit_as

    uid = f"{uuid.uuid4()}@bench"
    raw = _mail(sender, attendees, uid, plain)
    transactions = -(-len(attendees) // max(1, settings.GATEWAY_MAX_RECIPIENTS))
    since = timezone.now()
    begin = time.perf_counter()
    submit_as(sender.login, raw, mail_from=sender.user.email, recipients=attendees)
    deadline = time.monotonic() + timeout
    done = False
    while time.monotonic() < deadline:
        if not done:
            rows = SpooledMessage.objects.filter(received_at__gte=since,
                                                 mail_from=sender.user.email)  # fmt: skip
            done = stored([(row.status == SpooledMessage.Status.PENDING, len(row.delivered_to))
                           for row in rows], transactions, len(attendees))  # fmt: skip
        if done and (plain or _in_every_agenda(uid, len(attendees))):
            return time.perf_counter() - begin
        time.sleep(0.01)
    raise RuntimeError(f"not processed within {timeout:.0f} s")


def _wait_indexed(timeout: float) -> None:
    """Until the worker has indexed every change of the attendees' calendars."""
    from calendar_app.models import CollectionState
    from dav.models import CollectionVersion

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        counts = dict(CollectionVersion.objects.filter(
            owner__username__startswith=PREFIX, collection="personnel").values_list(
            "owner_id", "version"))  # fmt: skip
        indexed = dict(CollectionState.objects.filter(owner__username__startswith=PREFIX,
                                                      collection="personnel").values_list(
            "owner__username", "indexed_version"))  # fmt: skip
        if all(indexed.get(owner) == version for owner, version in counts.items()):
            return
        time.sleep(0.2)
    raise RuntimeError(f"not indexed within {timeout:.0f} s")


def _copy(sender, logins: list[str]) -> tuple[str, str]:
    """A new invitation's UID and an attendee's copy of it, as the worker writes it."""
    from calendar_app import ical

    uid = f"{uuid.uuid4()}@bench"
    start = datetime(WEEK.year, WEEK.month, WEEK.day, 17, tzinfo=PARIS).replace(tzinfo=None)
    domain = sender.user.email.split("@")[1]
    received = ical.parse(_request(sender.user.email, "", start, uid,
                                   [f"{login}@{domain}" for login in logins]))  # fmt: skip
    return uid, ical.serialize(ical.wrap(*received.subcomponents))


def _straight_to_store(sender, logins: list[str]) -> float:
    """The store's floor over HTTP (a worker without Radicale's folder): each attendee's copy
    PUT into Radicale two at a time (as the worker's two processes), nothing else done;
    seconds."""
    from concurrent.futures import ThreadPoolExecutor

    from calendar_app import ical
    from dav.client import dav_session

    uid, text = _copy(sender, logins)

    def put(login: str) -> None:
        with dav_session(login) as store:
            store.put("personnel", ical.href_for(uid), text, etag=None)

    begin = time.perf_counter()
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(put, logins))
    return time.perf_counter() - begin


def _into_storage(sender, logins: list[str]) -> float:
    """The store's floor as the worker writes now: the same copies written into Radicale's
    storage by ``dav.storage_writes.put``, one at a time, nothing else done; seconds."""
    from calendar_app import ical
    from calendar_app.window import TASK as SYNC_TASK
    from convergence.celery import app
    from dav import storage_writes

    uid, text = _copy(sender, logins)
    begin = time.perf_counter()
    for login in logins:
        storage_writes.put(login, "personnel", ical.href_for(uid), text, etag=None)
    seconds = time.perf_counter() - begin
    for login in logins:  # untimed: the indexing the worker does after its own writes
        app.send_task(SYNC_TASK, args=[login, "personnel"])
    return seconds


def _invitations(sender, server, var_dir: Path, repeat: int, count: int):
    from django.conf import settings

    from bench import stack
    from bench.delivery import make_recipients
    from devstack.processes import CeleryWorker
    from mail.pipeline.gateway import build_controllers

    attendees = [m.address for m in make_recipients(count, prefix=PREFIX)]
    controllers = build_controllers(settings.GATEWAY_INBOUND_PORT,
                                    settings.GATEWAY_SUBMISSION_PORT)  # fmt: skip
    for controller in controllers:
        controller.start()
    worker = CeleryWorker(var_dir / "bench-scheduling-worker.log", pool="prefork")
    worker.start()
    timeout = 120 + count * 2
    try:
        # Untimed: every Maildir and every «Personnel» calendar created once.
        _deliver(sender, attendees, False, timeout)
        invitation, plain = [], []
        for _ in range(repeat):
            # Each from a quiet Dovecot: the full-text indexing of the 200 copies of the last
            # mail (fts_autoindex) runs after its clock has stopped, and took the next one's
            # CPU, an invitation's as a plain delivery's.
            stack.wait_quiet(server)
            plain.append(_deliver(sender, attendees, True, timeout))
            stack.wait_quiet(server)
            invitation.append(_deliver(sender, attendees, False, timeout))
        store, storage = [], []
        logins = [a.split("@")[0] for a in attendees]
        for _ in range(repeat):
            _wait_indexed(timeout)  # the syncs the hook queued for the last round's copies
            stack.wait_quiet(server)
            store.append(_straight_to_store(sender, logins))
            storage.append(_into_storage(sender, logins))
        return attendees, invitation, plain, store, storage
    finally:
        worker.stop()
        for controller in controllers:
            controller.stop()


def run(sender, server, var_dir: Path, repeat: int) -> SchedulingResult:
    """Django set up and migrated, Dovecot running (``server``; ``sender``: the bench's
    person); starts and stops its own Radicale, gateway and worker."""
    from django.conf import settings

    from accounts.models import User
    from bench import stack
    from calendar_app import rooms
    from calendar_app.models import Room
    from devstack.radicale import RadicaleServer
    from mail.models import Mailbox

    count = int(os.environ.get("IMIP_BENCH_ATTENDEES", "200"))
    part = os.environ.get("SCHEDULING_PART", "")
    if part not in ("", "bookings", "invitations"):
        raise ValueError(f"SCHEDULING_PART={part}: bookings or invitations")
    people = [stack.make_person(f"bench.room{n}") for n in range(BOOKERS)]
    radicale = RadicaleServer(env={"DATABASE_URL": os.environ["DATABASE_URL"]})
    radicale.start()
    room = rooms.create_room(people[0].user.etablissement, "Salle du banc d'essai",
                             f"{ROOM}@{settings.MAIL_DOMAIN}", capacity=30)  # fmt: skip
    latencies, winners, floor, invitation, plain, store, storage = [], [], None, [], [], [], []
    try:
        if part != "invitations":
            print(f"Booking one room, {BOOKERS} at once…", flush=True)
            latencies, winners, floor = _bookings(room, people, max(5, repeat // 3))
        if part != "bookings":
            print(f"Inviting {count} colleagues…", flush=True)
            _all, invitation, plain, store, storage = _invitations(
                sender, server, var_dir, max(3, repeat // 6), count)
    finally:
        radicale.stop()
        Room.objects.filter(id=room.id).delete()
        for person in people:
            stack.forget(person)
        Mailbox.objects.filter(imap_user__startswith=PREFIX).delete()
        User.objects.filter(username__startswith=PREFIX).delete()
    return SchedulingResult(len(winners), latencies, winners, floor, count, invitation, plain,
                            store, storage)  # fmt: skip


def markdown(result: SchedulingResult) -> list[str]:
    lines = [f"## Scheduling: rooms under contention, an invitation to {result.attendees}", "",
             "| measure | figure | floor (same run) | target | met? |",
             "|---|---|---|---|---|"]  # fmt: skip
    notes = []
    if result.bookings:
        slowest = max(result.bookings)
        one_winner = all(w == 1 for w in result.winners)
        answers = sorted(result.bookings)
        median = answers[len(answers) // 2]
        lines += [
            f"| {BOOKERS} concurrent bookings of one slot, {result.rounds} rounds: winners per "
            f"round | {', '.join(map(str, sorted(set(result.winners))))} | — | exactly 1 | "
            f"{'yes' if one_winner else '**no**'} |",
            f"| the same: each answer (median / slowest) | {median * 1000:.0f} / "
            f"{slowest * 1000:.0f} ms | one booking alone: "
            f"{result.floor_booking.median * 1000:.0f} ms | every answer ≤ "
            f"{ANSWER_LIMIT * 1000:.0f} ms | {'yes' if slowest <= ANSWER_LIMIT else '**no**'} |",
        ]  # fmt: skip
        notes.append(
            "- Bookings: 20 threads in the bench process, released together by a barrier, each "
            "running what the worker's `book_room` task runs (the check and the write under the "
            "room's row lock, the room's copy written to its calendar in Radicale, the REPLY "
            "applied to the organiser's event, put in their agenda beforehand, untimed); the "
            "answer's time runs from the barrier to the return. Each round books another hour."
        )  # fmt: skip
    if result.invitation:
        ratio = result.invitation_rate / result.plain_rate
        lines.append(
            f"| iMIP REQUEST to {result.attendees} colleagues, until in every agenda | "
            f"{result.invitation_rate:,.1f} attendees / s | plain delivery of the same mail: "
            f"{result.plain_rate:,.1f} / s | ≥ {RATE_RATIO}× plain ({ratio:.2f}×) | "
            f"{'yes' if ratio >= RATE_RATIO else '**no**'} |"
        )  # fmt: skip
        if result.storage:
            lines.append(
                f"| the same copies written into Radicale's storage, nothing else done (the "
                f"store's floor) | {result.storage_rate:,.1f} attendees / s | "
                f"{result.storage_rate / result.plain_rate:.2f}× plain | — | — |"
            )  # fmt: skip
        if result.store:
            lines.append(
                f"| the same copies PUT into Radicale over HTTP, nothing else done (a worker "
                f"without Radicale's folder) | {result.store_rate:,.1f} attendees / s | "
                f"{result.store_rate / result.plain_rate:.2f}× plain | — | — |"
            )  # fmt: skip
        notes.append(
            f"- Invitations: median of {len(result.invitation)} mails, plain and invitation "
            "alternating, after one untimed invitation that creates every Maildir and agenda, "
            "each mail sent once Dovecot is idle (the full-text indexing of the last one's "
            "copies done). Submitted on the gateway's submission port, delivered by a Celery "
            "worker subprocess (prefork pool, 2 processes, as in production) that also applies "
            "each attendee's copy (`receive_imip`, 25 attendees a task: written into Radicale's "
            "storage, as `make run` and docker-compose do) and indexes it; the clock stops "
            "once that is done for every attendee. The store's two floors: the same copies "
            "written into its storage by the bench's process, one at a time, each under "
            "Radicale's lock (`dav/storage_writes.py`); then PUT into Radicale two at a time."
        )  # fmt: skip
    return [*lines, "", *notes, ""]


def main() -> None:
    """`python -m bench.scheduling`: this section alone, on a private stack, printed."""
    from bench import environment

    with environment.alone() as var_dir:
        from bench import stack, stats

        person = stack.make_person("bench.organiser")
        server = stack.dovecot()
        server.start()
        try:
            print("\n".join(markdown(run(person, server, var_dir, stats.repeat_count(30)))))
        finally:
            server.stop()


if __name__ == "__main__":
    main()
