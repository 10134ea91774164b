"""«Message d'absence»: automatic replies that follow RFC 3834 (and Sieve vacation, RFC 5230).

One reply per sender per ``days``; never to the null sender, to lists, bulk or automatic
mail, to «noreply» addresses, nor to mail that did not name the mailbox in To or Cc. The
reply says ``Auto-Submitted: auto-replied`` and leaves with the null envelope sender, so no
other responder answers it and it never bounces back here.
"""

import logging
import uuid
from datetime import date, timedelta
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, getaddresses, make_msgid

from django.db import transaction
from django.utils import timezone

from directory import school_calendar
from mail.models import Mailbox, SpooledMessage, Vacation, VacationReply
from mail.pipeline.senders import came_through_a_list, is_machine_address
from mail.pipeline.spool import spool_message

logger = logging.getLogger(__name__)

_NAMESPACE = uuid.UUID("0d7c1a8e-3f4b-4c8e-9f0e-2b7a5c6d8e91")
def set_vacation(
    mailbox: Mailbox,
    *,
    enabled: bool,
    subject: str,
    body: str,
    starts_on: date | None = None,
    ends_on: date | None = None,
    days: int = 7,
    school_holidays: bool = False,
    by=None,
) -> Vacation:
    """Set the absence message of ``mailbox``; also for support acting for someone on leave."""
    vacation, _created = Vacation.objects.update_or_create(
        mailbox=mailbox,
        defaults={
            "enabled": enabled,
            "subject": subject,
            "body": body,
            "starts_on": starts_on,
            "ends_on": ends_on,
            "days": days,
            "school_holidays": school_holidays,
            "updated_by": by,
        },
    )
    return vacation


def in_force(vacation: Vacation | None, today: date | None = None) -> bool:
    if vacation is None or not vacation.enabled:
        return False
    today = today or timezone.localdate()
    if vacation.starts_on and today < vacation.starts_on:
        return False
    if vacation.ends_on and today > vacation.ends_on:
        return False
    return not vacation.school_holidays or school_calendar.in_school_holidays(
        today, zone_of_mailbox(vacation.mailbox))


def zone_of_mailbox(mailbox: Mailbox) -> str:
    """The school-holiday zone of a mailbox: its établissement's, else its owner's."""
    etablissement = mailbox.etablissement or getattr(mailbox.owner, "etablissement", None)
    return school_calendar.zone_of(school_calendar.academie_of(etablissement))


def reason_not_to_reply(
    headers: EmailMessage, *, mail_from: str, mailbox_address: str
) -> str | None:
    """Why this message gets no automatic reply, or None when it may get one."""
    sender = mail_from.strip().lower()
    if not sender or sender == "<>":
        return "null sender"  # RFC 3834 §2: bounces and other replies
    if is_machine_address(sender):
        return "machine sender"
    if sender == mailbox_address.lower():
        return "own address"
    auto = str(headers.get("Auto-Submitted", "no")).split(";")[0].strip().lower()
    if auto != "no":
        return "auto-submitted"
    if str(headers.get("Precedence", "")).strip().lower() in ("bulk", "list", "junk"):
        return "bulk"
    if came_through_a_list(headers):
        return "list"
    suppress = str(headers.get("X-Auto-Response-Suppress", "")).lower()
    if "all" in suppress or "oof" in suppress:
        return "suppressed"
    named = [
        address.lower()
        for _name, address in getaddresses(
            [str(v) for name in ("To", "Cc") for v in headers.get_all(name, [])]
        )
    ]
    if mailbox_address.lower() not in named:
        return "not addressed personally"  # RFC 3834 §2: Bcc, lists, aliases
    return None


def build_reply(vacation: Vacation, headers: EmailMessage, *, to: str) -> EmailMessage:
    reply = EmailMessage()
    reply["From"] = formataddr((vacation.mailbox.display_name, vacation.mailbox.address))
    reply["To"] = to
    reply["Subject"] = vacation.subject
    reply["Date"] = format_datetime(timezone.now())
    reply["Message-ID"] = make_msgid(domain=vacation.mailbox.address.rpartition("@")[2])
    original_id = str(headers.get("Message-ID", "")).strip()
    if original_id:
        reply["In-Reply-To"] = original_id
        reply["References"] = original_id
    reply["Auto-Submitted"] = "auto-replied"  # RFC 3834 §5
    reply["X-Auto-Response-Suppress"] = "All"  # what Exchange's own responders look at
    reply.set_content(vacation.body)
    return reply


def reply_if_due(vacation: Vacation, parsed: EmailMessage, *, mail_from: str, origin_id) -> bool:
    """Spool an automatic reply when RFC 3834 allows it and this sender had none for
    ``days``. Returns whether a reply left."""
    mailbox = vacation.mailbox
    if not in_force(vacation):
        return False
    reason = reason_not_to_reply(parsed, mail_from=mail_from, mailbox_address=mailbox.address)
    if reason:
        logger.info("spool %s: no absence reply from %s (%s)", origin_id, mailbox.address, reason)
        return False
    sender = mail_from.strip().lower()
    now = timezone.now()
    reply_id = uuid.uuid5(_NAMESPACE, f"{origin_id}|{mailbox.address}")
    if SpooledMessage.objects.filter(id=reply_id).exists():
        return False  # this delivery is a retry: the reply already left
    with transaction.atomic():
        record, _created = VacationReply.objects.get_or_create(
            mailbox=mailbox, sender=sender, defaults={"sent_at": now - timedelta(days=3650)}
        )
        # A conditional update: of two messages from one sender delivered at once, one wins.
        due = VacationReply.objects.filter(
            id=record.id, sent_at__lte=now - timedelta(days=max(1, vacation.days))
        ).update(sent_at=now)
        if not due:
            return False
        reply = build_reply(vacation, parsed, to=sender)
        spool_message(
            reply.as_bytes(policy=policy.SMTP), mail_from="", recipients=[sender], spool_id=reply_id
        )
    logger.info("spool %s: absence reply from %s", origin_id, mailbox.address)
    return True
