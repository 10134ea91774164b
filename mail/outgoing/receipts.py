"""Read receipts (RFC 8098 MDN): the reader chooses to send one or not, and receipts that
come back are linked to the message sent from the web app (matched on Original-Message-ID).

Whether a message was answered is kept in IMAP with the $MDNSent keyword (RFC 3503), so
other mail clients see it too; received receipts are found in the INBOX when the sender
looks at the sent message, and remembered in ``ReadReceipt``.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import policy
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from email.mime.text import MIMEText
from email.parser import BytesParser, HeaderParser
from email.policy import SMTP
from email.utils import format_datetime, formataddr, getaddresses, make_msgid

from django.conf import settings
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from mail.imap.dates import parse_date
from mail.imap.folders import find
from mail.message.parse import ReadableMessage
from mail.models import Mailbox, OutgoingMessage, ReadReceipt
from mail.outgoing.sending import queue_outgoing, sender_mailboxes

logger = logging.getLogger(__name__)

NOT_ASKED_IN = ("sent", "drafts", "trash", "junk")


@dataclass(frozen=True)
class Disposition:
    original_message_id: str
    reader: str
    disposition: str  # "displayed", "deleted"…
    when: datetime


def requested_by(message: ReadableMessage) -> list[str]:
    """The addresses of Disposition-Notification-To, if the sender asked for a receipt."""
    values = [
        value for name, value in message.headers if name.lower() == "disposition-notification-to"
    ]
    return [address.lower() for _, address in getaddresses(values) if "@" in address]


def pending_request(user, mailbox: Mailbox, box, folder: str, uid: int, message) -> list[str]:
    """Where to send a receipt the reader has not answered yet; empty when nothing to ask:
    no request, a message of one's own, a folder where one does not read mail, or no right
    to write as this mailbox."""
    addresses = requested_by(message)
    if not addresses or message.sender_address == mailbox.address.lower():
        return []
    current = find(box.folders(), folder)
    if current is not None and current.special_use in NOT_ASKED_IN:
        return []
    if "$mdnsent" in box.flags(folder, uid):
        return []
    if not sender_mailboxes(user).filter(id=mailbox.id).exists():
        return []
    return addresses


def build_receipt(original: ReadableMessage, *, reader_name: str, reader: str, to: list[str]):
    """A multipart/report MDN (RFC 8098 §3), with a French explanation for people."""
    when = timezone.localtime()
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Read receipt: %(subject)s") % {"subject": original.subject}
        explanation = _(
            "Your message “%(subject)s” was displayed by %(reader)s on %(when)s.\n\n"
            "This only means that the message was opened on screen: it does not say that it "
            "was read or understood."
        ) % {
            "subject": original.subject,
            "reader": reader,
            "when": date_format(when, "DATETIME_FORMAT"),
        }
    report = MIMEMultipart("report", report_type="disposition-notification", policy=SMTP)
    report["From"] = formataddr((reader_name, reader))
    report["To"] = ", ".join(to)
    report["Subject"] = subject
    report["Date"] = format_datetime(when)
    report["Message-ID"] = make_msgid(domain=settings.MAIL_DOMAIN)
    if original.message_id:
        report["In-Reply-To"] = original.message_id
        report["References"] = original.message_id
    report["Auto-Submitted"] = "auto-replied"  # RFC 3834: no vacation reply to a receipt
    report.attach(MIMEText(explanation, "plain", "utf-8", policy=SMTP))
    fields = MIMENonMultipart("message", "disposition-notification", policy=SMTP)
    fields.set_payload(
        f"Reporting-UA: Convergence; {settings.MAIL_DOMAIN}\r\n"
        f"Final-Recipient: rfc822; {reader}\r\n"
        f"Original-Message-ID: {original.message_id}\r\n"
        "Disposition: manual-action/MDN-sent-manually; displayed\r\n"
    )
    report.attach(fields)
    return report


def send_receipt(user, mailbox: Mailbox, original: ReadableMessage, to: list[str]):
    report = build_receipt(
        original, reader_name=mailbox.display_name, reader=mailbox.address, to=to
    )
    return queue_outgoing(
        user=user,
        mailbox=mailbox,
        message=report,
        subject=str(report["Subject"]),
        recipients=to,
        send_after=timezone.now(),
        kind=OutgoingMessage.Kind.RECEIPT,
    )


def _fields(part: Message) -> Message | None:
    """The report's fields: the parser reads message/* bodies as one header block."""
    payload = part.get_payload()
    if isinstance(payload, list) and payload:
        return payload[0]
    if isinstance(payload, str):
        return HeaderParser().parsestr(payload)
    return None


def parse_receipt(raw: bytes) -> Disposition | None:
    """The disposition a received MDN reports, or None if the message is not one."""
    try:
        # The header first: almost no message is a report, and the reading page asks of each.
        head = BytesParser(policy=policy.compat32).parsebytes(raw, headersonly=True)
        if head.get_content_type() != "multipart/report":
            return None
        message = BytesParser(policy=policy.compat32).parsebytes(raw)
    except Exception:
        return None
    for part in message.walk():
        if part.get_content_type() != "message/disposition-notification":
            continue
        fields = _fields(part)
        if fields is None or not fields.get("Original-Message-ID"):
            return None
        recipient = str(fields.get("Final-Recipient", "")).partition(";")[2].strip()
        sender = getaddresses([str(message.get("From", ""))])
        reader = recipient or (sender[0][1] if sender else "")
        disposition = str(fields.get("Disposition", "")).rpartition(";")[2].strip().lower()
        when = parse_date(str(message.get("Date", ""))) or timezone.now()
        return Disposition(
            original_message_id=str(fields["Original-Message-ID"]).strip(),
            reader=reader.lower()[:320],
            disposition=(disposition or "displayed")[:32],
            when=when,
        )
    return None


def record(mailbox: Mailbox, disposition: Disposition) -> ReadReceipt | None:
    """Link a receipt to the message this mailbox sent; receipts for others are ignored."""
    outgoing = OutgoingMessage.objects.filter(
        mailbox=mailbox, message_id=disposition.original_message_id
    ).first()
    if outgoing is None or not disposition.reader:
        return None
    receipt, _ = ReadReceipt.objects.get_or_create(
        outgoing=outgoing,
        reader=disposition.reader,
        defaults={"disposition": disposition.disposition, "read_at": disposition.when},
    )
    return receipt


def receipts_of(mailbox: Mailbox, box, outgoing: OutgoingMessage) -> list[ReadReceipt]:
    """Receipts for a sent message, after looking in the INBOX for new ones."""
    since = timezone.localtime(outgoing.created_at).date() - timedelta(days=1)
    for raw in box.read_reports("INBOX", since=since).values():
        disposition = parse_receipt(raw)
        if disposition is not None:
            record(mailbox, disposition)
    receipts = list(outgoing.receipts.all())
    names = dict(
        Mailbox.objects.filter(address__in=[r.reader for r in receipts]).values_list(
            "address", "display_name"
        )
    )
    for receipt in receipts:
        receipt.reader_name = names.get(receipt.reader, receipt.reader)
    return receipts


def reading_extras(user, mailbox: Mailbox, box, folder: str, uid: int, raw: bytes, message):
    """What the reading page shows about receipts: the question to the reader, the
    receipts of a sent message, or, for a receipt itself, the message it is about."""
    disposition = parse_receipt(raw)
    if disposition is not None:
        receipt = record(mailbox, disposition)
        return {"receipt_about": receipt.outgoing if receipt else None}
    extras: dict = {"receipt_request": pending_request(user, mailbox, box, folder, uid, message)}
    if requested_by(message) and message.message_id:
        outgoing = OutgoingMessage.objects.filter(
            mailbox=mailbox, message_id=message.message_id, kind=OutgoingMessage.Kind.MESSAGE
        ).first()
        if outgoing is not None:
            extras["receipt_request"] = []
            extras["receipts"] = receipts_of(mailbox, box, outgoing)
            extras["receipts_asked"] = True
    return extras
