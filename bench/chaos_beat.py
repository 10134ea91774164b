"""`make chaos`'s beat part: beat killed (SIGKILL) twice and started again while scheduled
messages fall due and the sweeps run every 2 s. Each scheduled message must reach its
recipient once; each periodic job must run again after the restart, and never twice within
half its period (two beats, or a restarted one sending again a run the killed one had sent).
The sends are read from beat's log (a run is sent only once claimed, convergence/beat.py)."""

import re
import time
import uuid
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from bench import chaos_web, stack
from mail.models import OutgoingMessage
from mail.outgoing.sending import queue_outgoing

SENT = re.compile(
    r"^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}): INFO/MainProcess\] Scheduler: Sending due task "
    r"([\w.-]+) ",
    re.M,
)
KILL_PAUSE = 3.0  # seconds beat stays dead


def sends(log_path: Path) -> dict[str, list[datetime]]:
    """When each periodic job was sent, by name, from the log every beat of the run appends
    to (the beat's local time)."""
    found: dict[str, list[datetime]] = {}
    for stamp, name in SENT.findall(log_path.read_text(errors="replace")):
        found.setdefault(name, []).append(datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S,%f"))
    return found


def _schedule(sender: stack.Person, recipient: stack.Person, subject: str, when) -> None:
    message = EmailMessage()
    message["From"], message["To"] = sender.mailbox.address, recipient.mailbox.address
    message["Subject"], message["Date"] = subject, format_datetime(timezone.now())
    message["Message-ID"] = make_msgid(domain=sender.mailbox.address.split("@")[1])
    message.set_content("Bonjour,\n\nenvoi différé.\n")
    queue_outgoing(user=sender.user, mailbox=sender.mailbox, message=message, subject=subject,
                   recipients=[recipient.mailbox.address], send_after=when,
                   schedule=OutgoingMessage.Schedule.CHOSEN)  # fmt: skip


def _wait(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.5)
    return True


def kills(findings, server, beat, sender, recipient, count: int = 30,
          window: float = 30.0) -> None:  # fmt: skip
    run = uuid.uuid4().hex[:8]
    first = timezone.now() + timedelta(seconds=5)
    subjects = [f"Envoi programme {n} ({run})" for n in range(count)]  # ASCII: read raw
    for n, subject in enumerate(subjects):
        _schedule(sender, recipient, subject, first + timedelta(seconds=window * n / count))
    began, restarts = datetime.now(), []
    for share in (1 / 3, 2 / 3):
        due = first + timedelta(seconds=window * share)
        _wait(lambda due=due: timezone.now() >= due, window + 60)
        if beat.process.poll() is not None:
            findings.add(f"- **beat had exited by itself** (exit {beat.process.returncode})")
        beat.kill()
        time.sleep(KILL_PAUSE)  # beat is dead: nothing sends the due messages meanwhile
        restarts.append(datetime.now())
        beat.start()
        findings.add(f"- {window * share:.0f} s into {window:.0f} s of due times: beat killed "
                     f"(SIGKILL), started again {KILL_PAUSE:.0f} s later")  # fmt: skip
    mine = OutgoingMessage.objects.filter(subject__in=subjects)
    _wait(lambda: not mine.filter(status=OutgoingMessage.Status.WAITING).exists(), 300)
    _wait(lambda: sum(chaos_web.copies(server, recipient, subjects).values()) >= count, 120)
    copies = chaos_web.copies(server, recipient, subjects)
    lost = [s for s in subjects if not copies.get(s)]
    doubled = [s for s, n in copies.items() if n > 1]
    unsent = mine.filter(sent_at=None).count()
    delays = [(o.sent_at - o.send_after).total_seconds() for o in mine if o.sent_at]
    findings.add(f"- {count} messages scheduled over {window:.0f} s: **{len(lost)} lost, "
                 f"{len(doubled)} doubled** (copies in the recipient's Maildir: "
                 f"{sum(copies.values())}); sent at most {max(delays, default=0):.1f} s after "
                 f"their time" + (f"; **{unsent} never sent**" if unsent else ""))  # fmt: skip
    _sweeps(findings, beat.log_path, began, restarts)


def _sweeps(findings, beat_log: Path, began: datetime, restarts: list[datetime]) -> None:
    sent = sends(beat_log)
    doubled, resumed, counted = [], [], []
    for task, entry in settings.CELERY_BEAT_SCHEDULE.items():
        every = entry["schedule"]
        # A crontab job runs at most once a minute: twice within 30 s is doubled too.
        period = float(every) if isinstance(every, int | float) else 60.0
        times = sent.get(task, [])
        pairs = zip(times, times[1:], strict=False)
        close = [later for earlier, later in pairs
                 if later >= began and (later - earlier).total_seconds() < period / 2]  # fmt: skip
        doubled += [task] * len(close)
        if period <= 10:
            counted.append(f"{task} {sum(t >= began for t in times)}")
            for restart in restarts:
                after = [t for t in times if t >= restart]
                resumed.append((after[0] - restart).total_seconds() if after else None)
    findings.add(f"- runs sent meanwhile of the {len(counted)} jobs due every 2 s: "
                 + ", ".join(counted))  # fmt: skip
    never = sum(1 for r in resumed if r is None)
    findings.add(f"- **{len(doubled)} runs doubled** (a job run twice within half its period, "
                 f"any of the {len(settings.CELERY_BEAT_SCHEDULE)} periodic jobs); after each "
                 f"start of beat every such job was sent again within "
                 f"{max((r for r in resumed if r is not None), default=0):.1f} s"
                 + (f"; **{never} never sent again**" if never else ""))  # fmt: skip
    for task in sorted(set(doubled)):
        findings.add(f"  - doubled: {task} × {doubled.count(task)}")
