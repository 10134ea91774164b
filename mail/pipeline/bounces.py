"""Delivery status notifications (RFC 3464): the sender hears of a recipient that will never
get the message — a mailbox gone after the gateway accepted it, a relay's 5xx.

Only for recipients the sender named (a distribution list's dead member is the list's
business), never to the null sender or a machine, never for mail a list distributed, and at
most once per message: the notification leaves with the null sender, so nothing answers it.
"""

import logging
import re
import uuid
from email import policy
from email.message import EmailMessage, Message
from email.utils import format_datetime, formataddr, make_msgid

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from mail.models import SpooledMessage
from mail.pipeline.senders import came_through_a_list, is_machine_address
from mail.pipeline.spool import spool_message

logger = logging.getLogger(__name__)

_NAMESPACE = uuid.UUID("6a1f0c5e-2d7b-4b8a-9c3e-7f1d2e4a5b60")
_STATUS = re.compile(r"\b([245]\.\d{1,3}\.\d{1,3})\b")
_HEADERS_KEPT = 64 * 1024  # of the original: enough to recognise it, never the body


def reason_not_to_bounce(parsed: EmailMessage, *, mail_from: str) -> str | None:
    sender = mail_from.strip().lower()
    if not sender or sender == "<>":
        return "null sender"  # RFC 3464 §2: never a notification about a notification
    if is_machine_address(sender):
        return "machine sender"
    if parsed.get_content_type() == "multipart/report":
        return "a report"
    if came_through_a_list(parsed):
        return "list"
    return None


def status_of(reason: str) -> str:
    """The enhanced status code (RFC 3463) in the server's answer, else «permanent, other»."""
    found = _STATUS.search(reason)
    if found and found.group(1).startswith("5"):
        return found.group(1)
    return "5.1.1" if "no such mailbox" in reason.lower() else "5.0.0"


def _both_languages(text: str, **values) -> str:
    with translation.override("fr"):
        french = _(text) % values
    with translation.override("en"):
        english = _(text) % values
    return french if french == english else f"{french}\n\n---\n\n{english}"


def _explanation(failed: dict[str, str], subject: str) -> str:
    lines = "\n".join(f"  <{rcpt}> : {reason}" for rcpt, reason in sorted(failed.items()))
    return _both_languages(
        "Your message «%(subject)s» could not be delivered to these recipients, and will not "
        "be, however long we wait:\n\n%(lines)s\n\nCheck the address (a typing error is the "
        "usual cause) or reach the person another way. Your message itself is attached below "
        "as its headers only.",
        subject=subject, lines=lines,
    )  # fmt: skip


def _status_part(message: SpooledMessage, failed: dict[str, str]) -> Message:
    part = Message()
    part["Content-Type"] = "message/delivery-status"
    per_message = Message()
    per_message["Reporting-MTA"] = f"dns; {settings.MAIL_DOMAIN}"
    per_message["Arrival-Date"] = format_datetime(message.received_at or timezone.now())
    blocks = [per_message]
    for rcpt, reason in sorted(failed.items()):
        block = Message()
        block["Final-Recipient"] = f"rfc822; {rcpt}"
        block["Action"] = "failed"
        block["Status"] = status_of(reason)
        block["Diagnostic-Code"] = f"smtp; {' '.join(reason.split())[:900]}"
        blocks.append(block)
    part.set_payload(blocks)
    return part


def build_notification(message: SpooledMessage, parsed: EmailMessage, raw: bytes,
                       failed: dict[str, str]) -> EmailMessage:  # fmt: skip
    notice = EmailMessage()
    notice["From"] = formataddr(("Système de messagerie", f"mailer-daemon@{settings.MAIL_DOMAIN}"))
    notice["To"] = message.mail_from
    notice["Subject"] = "Message non remis / Undelivered message"
    notice["Date"] = format_datetime(timezone.now())
    notice["Message-ID"] = make_msgid(domain=settings.MAIL_DOMAIN)
    notice["Auto-Submitted"] = "auto-replied"
    original_id = str(parsed.get("Message-ID", "")).strip()
    if original_id:
        notice["In-Reply-To"] = original_id
        notice["References"] = original_id
    subject = " ".join(str(parsed.get("Subject", "")).split())[:200]
    notice.set_content(_explanation(failed, subject))
    notice.make_mixed()
    notice.set_type("multipart/report")
    notice.set_param("report-type", "delivery-status")
    notice.attach(_status_part(message, failed))
    headers = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0][:_HEADERS_KEPT]
    original = Message()
    original["Content-Type"] = "text/rfc822-headers"
    original.set_payload(headers.decode("ascii", errors="replace"))
    notice.attach(original)
    return notice


def bounce_if_due(message: SpooledMessage, parsed: EmailMessage, raw: bytes,
                  errors: dict[str, str]) -> bool:  # fmt: skip
    """Spool one notification for the recipients the sender named that failed for good.
    Returns whether one left."""
    failed = {rcpt: why for rcpt, why in errors.items() if rcpt in message.recipients}
    if not failed:
        return False
    reason = reason_not_to_bounce(parsed, mail_from=message.mail_from)
    if reason:
        logger.info("spool %s: no delivery notification (%s)", message.id, reason)
        return False
    notice_id = uuid.uuid5(_NAMESPACE, str(message.id))
    if SpooledMessage.objects.filter(id=notice_id).exists():
        return False  # a retry of this delivery: the notification already left
    notice = build_notification(message, parsed, raw, failed)
    spool_message(notice.as_bytes(policy=policy.SMTP), mail_from="",
                  recipients=[message.mail_from.strip().lower()], spool_id=notice_id)  # fmt: skip
    logger.info("spool %s: delivery notification to %s", message.id, message.mail_from)
    return True
