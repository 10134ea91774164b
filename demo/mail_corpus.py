"""The demo académie's mail (demo/data/mail/): each entry of messages.toml rendered as the
RFC 5322 bytes seed_demo sends through the gateway, the same bytes on every run."""

import html
import re
import tomllib
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from functools import cache
from pathlib import Path

from django.conf import settings

from mail.models import SpooledMessage

DATA_DIR = Path(__file__).resolve().parent / "data" / "mail"
# The domain the data is written for; seed_demo puts MAIL_DOMAIN in its place.
DATA_DOMAIN = "ac-demo.test"
DEMO_HEADER = "X-Convergence-Demo"

# Every corpus message has its own numbered envelope sender, which the gateway records in its
# spool index: seed_demo reads there which ones were already accepted (see the command).
# ".invalid" (RFC 2606) so that a bounce, if one is ever generated, goes nowhere.
_ENVELOPE = re.compile(r"^demo-corpus\+(\d{4})@seed-demo\.invalid$")
ENVELOPE_PREFIX = "demo-corpus+"
ENVELOPE_SUFFIX = "@seed-demo.invalid"


@cache
def _data() -> dict:
    with open(DATA_DIR / "messages.toml", "rb") as file:
        return tomllib.load(file)


REFERENCE_DATE: datetime = _data()["reference_date"]
SPAN_DAYS: int = _data()["span_days"]


@dataclass(frozen=True)
class DemoMessage:
    index: int
    mail_from: str  # the numbered envelope sender, not the From header
    recipients: list[str]  # local mailboxes only: the gateway's inbound port refuses others
    message_id: str
    subject: str
    raw: bytes


def envelope_sender(index: int) -> str:
    return f"{ENVELOPE_PREFIX}{index:04d}{ENVELOPE_SUFFIX}"


def envelope_index(mail_from: str) -> int | None:
    match = _ENVELOPE.match(mail_from)
    return int(match.group(1)) if match else None


def html_version(body: str, sender_name: str) -> str:
    paragraphs = "".join(
        "<p>" + "<br>".join(html.escape(line) for line in block.split("\n")) + "</p>"
        for block in body.split("\n\n")
    )
    return (
        '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"></head><body>'
        f'<p style="color:#000091;font-weight:bold">{html.escape(sender_name)}</p>'
        f"{paragraphs}</body></html>"
    )


def _address(text: str) -> Address:
    name, address = parseaddr(text)
    return Address(name, addr_spec=address)


def render_message(entry: dict, index: int) -> bytes:
    """RFC 5322 bytes with CRLF line ends, 7-bit, ready for SMTP."""
    sender = _address(entry["from"])
    msg = EmailMessage()
    msg["From"] = sender
    # Circulaires and notes de service go out in blind copy, as they do in real life.
    msg["To"] = [_address(to) for to in entry["to"]] or "undisclosed-recipients:;"
    if entry.get("cc"):
        msg["Cc"] = [_address(cc) for cc in entry["cc"]]
    msg["Subject"] = entry["subject"]
    msg["Date"] = format_datetime(entry["date"])
    msg["Message-ID"] = entry["message_id"]
    if references := entry.get("references"):
        msg["In-Reply-To"] = references[-1]
        msg["References"] = " ".join(references)
    msg[DEMO_HEADER] = "seed_demo"
    # Quoted-printable keeps the bytes 7-bit: the gateway is not told BODY=8BITMIME.
    msg.set_content(entry["body"], cte="quoted-printable")
    if entry.get("html"):
        html_body = html_version(entry["body"], sender.display_name)
        msg.add_alternative(html_body, subtype="html", cte="quoted-printable")
    for attachment in entry.get("attachments", []):
        data = (DATA_DIR / "attachments" / f"{index:04d}" / attachment["file"]).read_bytes()
        maintype, _, subtype = attachment["type"].partition("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=attachment["file"])
    # The stdlib draws boundaries from the global random generator: fix them, for stable bytes.
    token = entry["message_id"].strip("<>").partition("@")[0]
    for depth, part in enumerate(p for p in msg.walk() if p.is_multipart()):
        part.set_boundary(f"=_demo_{token}_{depth}")
    return msg.as_bytes(policy=policy.SMTP)


def _in_domain(value, domain: str):
    """The entry with every address at the data's domain moved to ``domain``."""
    if isinstance(value, str):
        return value.replace(f"@{DATA_DOMAIN}", f"@{domain}")
    if isinstance(value, list):
        return [_in_domain(item, domain) for item in value]
    if isinstance(value, dict):
        return {key: (item if key == "body" else _in_domain(item, domain))
                for key, item in value.items()}  # fmt: skip
    return value


def spooled_indices() -> set[int]:
    """Corpus messages the gateway already accepted: its spool index keeps one row per message,
    with the envelope sender, after delivery too (only its bytes are discarded)."""
    senders = SpooledMessage.objects.filter(
        mail_from__startswith=ENVELOPE_PREFIX, mail_from__endswith=ENVELOPE_SUFFIX
    ).values_list("mail_from", flat=True)
    return {index for sender in senders if (index := envelope_index(sender)) is not None}


def load_corpus(domain: str | None = None) -> list[DemoMessage]:
    """The few hundred messages of demo/data/mail/messages.toml, in date order."""
    domain = domain or settings.MAIL_DOMAIN
    corpus = []
    for index, entry in enumerate(_data()["message"], 1):
        entry = _in_domain(entry, domain)
        corpus.append(DemoMessage(index, envelope_sender(index), entry["recipients"],
                                  entry["message_id"], entry["subject"],
                                  render_message(entry, index)))  # fmt: skip
    return corpus
