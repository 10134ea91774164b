"""Turn what someone wrote in the web app into an RFC 5322 message, and prefill replies."""

from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid

from django.conf import settings
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

from mail.message.parse import ReadableMessage, parse


@dataclass
class Upload:
    """``file``: a large upload left where Django streamed it (a temporary file on disk), to
    be copied to the shared files in chunks without ever being read whole; ``data`` is then
    empty."""

    filename: str
    content_type: str
    data: bytes
    file: object = None

    @property
    def size(self) -> int:
        return self.file.size if self.file is not None else len(self.data)


@dataclass
class Composition:
    """Already validated by the form: addresses parsed, no CR/LF anywhere in a header."""

    sender_name: str
    sender_address: str
    to: list[str]
    subject: str
    body: str
    cc: list[str] = field(default_factory=list)
    bcc: list[str] = field(default_factory=list)
    html: str | None = None
    in_reply_to: str = ""
    references: str = ""
    high_priority: bool = False
    read_receipt: bool = False
    attachments: list[Upload] = field(default_factory=list)
    # «De la part de»: the person who actually sends for the mailbox in From (RFC 5322 §3.6.2).
    sender_header: str | None = None
    # The names typed or chosen beside the addresses («Hélène Dupré»), by lowercase address.
    names: dict[str, str] = field(default_factory=dict)

    @property
    def recipients(self) -> list[str]:
        return list(dict.fromkeys([*self.to, *self.cc, *self.bcc]))


def build_message(composition: Composition) -> EmailMessage:
    """Bcc never appears in the headers; the envelope carries it (RFC 5322 §3.6.3)."""
    message = EmailMessage()
    sender = formataddr((composition.sender_name, composition.sender_address))
    message["From"] = sender
    if composition.sender_header:
        message["Sender"] = composition.sender_header
    message["To"] = _named(composition.to, composition.names)
    if composition.cc:
        message["Cc"] = _named(composition.cc, composition.names)
    message["Subject"] = composition.subject
    message["Date"] = format_datetime(timezone.localtime())
    message["Message-ID"] = make_msgid(domain=settings.MAIL_DOMAIN)
    if composition.in_reply_to:
        message["In-Reply-To"] = composition.in_reply_to
        message["References"] = " ".join(
            part for part in (composition.references, composition.in_reply_to) if part
        )
    if composition.high_priority:
        message["X-Priority"] = "1 (Highest)"
        message["Importance"] = "High"
    if composition.read_receipt:
        message["Disposition-Notification-To"] = sender
    message["User-Agent"] = "Convergence"
    message.set_content(composition.body)
    if composition.html:
        message.add_alternative(composition.html, subtype="html")
    for upload in composition.attachments:
        if upload.content_type == "message/rfc822":  # a forwarded message, kept whole
            forwarded = parse(upload.data)
            message.add_attachment(forwarded, filename=upload.filename)
            continue
        maintype, _, subtype = upload.content_type.partition("/")
        message.add_attachment(
            upload.data,
            maintype=maintype or "application",
            subtype=subtype or "octet-stream",
            filename=upload.filename,
        )
    return message


def _named(addresses: list[str], names: dict[str, str]):
    """Addresses with their names, which the header encodes (RFC 2047) where they need it."""
    return [Address(names.get(a, ""), addr_spec=a) for a in addresses] or ""


def _attribution(original: ReadableMessage) -> str:
    """«Le 1 oct. 2026 08:26, Hélène Dupré <…> a écrit :», in the reader's zone and language."""
    sender = original.sender or _("someone")
    if original.date is None:
        return _("%(sender)s wrote:") % {"sender": sender}
    when = dateformat.format(timezone.localtime(original.date), "j N Y H:i")
    return _("On %(date)s, %(sender)s wrote:") % {"date": when, "sender": sender}


def _quote(original: ReadableMessage) -> str:
    """Quoted as "> " lines (RFC 3676 §4.5): the plain text part keeps them, the editor turns
    them into a formatted quotation (static/js/compose.js)."""
    lines = original.text.splitlines() or [""]
    quoted = "\n".join(f"> {line}" if line else ">" for line in lines)
    return f"\n\n{_attribution(original)}\n{quoted}\n"


def reply_fields(original: ReadableMessage, *, own_addresses: set[str], reply_all: bool) -> dict:
    """The compose form's initial values for «Répondre» / «Répondre à tous»."""
    subject = original.subject
    if not subject.lower().startswith(("re:", "re :")):
        subject = f"Re: {subject}"
    to = [original.reply_to or original.sender]
    cc: list[str] = []
    if reply_all:
        others = [a for a in [*original.to, *original.cc] if _bare(a) not in own_addresses]
        cc = [a for a in others if _bare(a) != _bare(to[0])]
    return {
        "to": ", ".join(to),
        "cc": ", ".join(cc),
        "subject": subject,
        "body": _quote(original),
        "in_reply_to": original.message_id,
        "references": original.references,
    }


def forward_fields(original: ReadableMessage) -> dict:
    subject = original.subject
    if not subject.lower().startswith(("tr:", "fwd:")):
        subject = f"Tr: {subject}"
    header = "\n".join(
        line
        for line in (
            "-------- Message transféré --------",
            f"De : {original.sender}",
            f"Date : {dateformat.format(timezone.localtime(original.date), 'j N Y H:i')}"
            if original.date
            else "",
            f"Objet : {original.subject}",
            f"À : {', '.join(original.to)}",
        )
        if line
    )
    return {"subject": subject, "body": f"\n\n{header}\n\n{original.text}"}


def _bare(address: str) -> str:
    if "<" in address and address.endswith(">"):
        return address.rsplit("<", 1)[1][:-1].lower()
    return address.strip().lower()
