"""What each line of a message list shows, worked out once per page in Python.

The list is the hottest page of the webmail, and Django's template engine spends microseconds
on every variable and filter: with a date, a size and five links per line, fifty lines of
envelopes cost more than everything else on the page. The template now only places strings.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.template.defaultfilters import filesizeformat, truncatechars
from django.utils.translation import gettext as _

from mail.imap.types import Conversation, EnvelopeSummary
from mail.webmail.dates import DateLabels


@dataclass(frozen=True, slots=True)
class Row:
    uid: str
    href: str
    unread: bool
    flagged: bool
    attached: bool
    keywords: frozenset[str]
    sender: str
    subject: str  # «(sans objet)» when it has none
    date_iso: str
    date_label: str
    size: str
    folder_label: str = ""  # in the results of a search over every folder
    current: bool = False  # the message open in the reading pane


@dataclass(frozen=True, slots=True)
class ConversationRow:
    uids: str  # every message's UID, comma-separated (the checkbox acts on them all)
    latest_uid: str
    href: str
    unread: bool
    flagged: bool
    attached: bool
    senders: str
    count: int
    subject: str
    date_iso: str
    date_label: str
    size: str


def message_rows(
    envelopes: list[EnvelopeSummary],
    href: Callable[[EnvelopeSummary], str],
    *,
    folder_labels: dict[str, str] | None = None,
    current_uid: int | None = None,
) -> list[Row]:
    dates, no_subject = DateLabels(), _("(no subject)")
    return [
        Row(
            uid=str(envelope.uid),
            href=href(envelope),
            unread=not envelope.seen,
            flagged=envelope.flagged,
            attached=envelope.has_attachments,
            keywords=envelope.keywords,
            sender=envelope.sender_name or envelope.sender_address,
            subject=envelope.subject or no_subject,
            date_iso=dates.iso(envelope.date),
            date_label=dates.label(envelope.date),
            size=filesizeformat(envelope.size),
            folder_label=folder_labels.get(envelope.folder, "") if folder_labels else "",
            current=envelope.uid == current_uid,
        )
        for envelope in envelopes
    ]


def conversation_rows(
    conversations: list[Conversation], message_base: str
) -> list[ConversationRow]:
    dates, no_subject = DateLabels(), _("(no subject)")
    rows = []
    for conversation in conversations:
        latest = conversation.latest
        rows.append(
            ConversationRow(
                uids=",".join(str(envelope.uid) for envelope in conversation.envelopes),
                latest_uid=str(latest.uid),
                href=f"{message_base}{latest.uid}/conversation/",
                unread=bool(conversation.unread),
                flagged=conversation.flagged,
                attached=conversation.has_attachments,
                senders=truncatechars(", ".join(conversation.senders), 60),
                count=len(conversation.envelopes),
                subject=conversation.first.subject or no_subject,
                date_iso=dates.iso(latest.date),
                date_label=dates.label(latest.date),
                size=filesizeformat(latest.size),
            )
        )
    return rows
