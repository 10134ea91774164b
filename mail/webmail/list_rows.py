"""What each line of a message list shows, worked out once per page in Python.

The list is the hottest page of the webmail, and Django's template engine spends microseconds
on every variable and filter: with a date, a size and five links per line, fifty lines of
envelopes cost more than everything else on the page. The template now only places strings.
"""

from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from django.conf import settings
from django.template.defaultfilters import filesizeformat, truncatechars
from django.utils import formats
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from mail.imap.types import Conversation, EnvelopeSummary
from mail.webmail.dates import DateLabels
from shared_mailboxes.webmail import state_label


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
    state: str = ""  # a shared mailbox's «À traiter», «En cours», «Traité»


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


class SizeLabels:
    """Django's ``filesizeformat`` («3,2 Ko»), its words and the decimal separator looked up
    once per page: through the filter, each line's size cost some 50 Python calls."""

    def __init__(self):
        self._units = [
            (1 << 50, _("%s PB")), (1 << 40, _("%s TB")), (1 << 30, _("%s GB")),
            (1 << 20, _("%s MB")), (1 << 10, _("%s KB")),
        ]  # fmt: skip
        self._separator = formats.get_format("DECIMAL_SEPARATOR")

    def label(self, size: int) -> str:
        if settings.USE_THOUSAND_SEPARATOR:  # groups: as Django does
            return filesizeformat(size)
        if size < 1024:
            words = ngettext("%(size)d byte", "%(size)d bytes", size) % {"size": size}
            return words.replace(" ", "\xa0")
        unit, words = next((unit, words) for unit, words in self._units if size >= unit)
        # numberformat.format with one decimal: str() of the rounded value, cut, padded.
        whole, _point, tenths = str(round(size / unit, 1)).partition(".")
        return (words % f"{whole}{self._separator}{(tenths or '0')[:1]}").replace(" ", "\xa0")


def message_rows(
    envelopes: list[EnvelopeSummary],
    href: Callable[[EnvelopeSummary], str],
    *,
    folder_labels: dict[str, str] | None = None,
    current_uid: int | None = None,
) -> list[Row]:
    dates, sizes, no_subject = DateLabels(), SizeLabels(), _("(no subject)")
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
            size=sizes.label(envelope.size),
            folder_label=folder_labels.get(envelope.folder, "") if folder_labels else "",
            current=envelope.uid == current_uid,
            state=state_label(envelope.keywords) if envelope.keywords else "",
        )
        for envelope in envelopes
    ]


def conversation_rows(
    conversations: list[Conversation], message_base: str
) -> list[ConversationRow]:
    dates, sizes, no_subject = DateLabels(), SizeLabels(), _("(no subject)")
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
                size=sizes.label(latest.size),
            )
        )
    return rows


# The lines' markup too: through the template engine, fifty lines cost some 26,000 Python
# calls, more than the rest of the page (docs/benchmarks.md, «Where the time goes»). Every
# string from the message or the IMAP server goes through escape() here, as {{ }} would.
_FLAG = '<span class="fr-icon-flag-fill fr-icon--sm cv-flag" role="img" aria-label="{}"></span>'
_ATTACHED = '<span class="fr-icon-attachment-line fr-icon--sm" role="img" aria-label="{}"></span>'
_STATE = '<span class="fr-badge fr-badge--sm fr-badge--no-icon cv-state">{}</span>'
_UNREAD = '<span class="fr-sr-only">{} </span>'
_COUNT = ' <span class="fr-badge fr-badge--sm">{}<span class="fr-sr-only"> {}</span></span>'
_TIME = '<time datetime="{}">{}</time>'


class _Labels:
    """The page's words, translated and escaped once."""

    def __init__(self):
        self.select = escape(_("Select"))
        self.unread = _UNREAD.format(escape(_("Unread:")))
        self.flag = _FLAG.format(escape(_("Flagged")))
        self.attached = _ATTACHED.format(escape(_("With attachments")))
        self.messages = escape(_("messages"))

    def icons(self, row) -> str:
        return (self.flag if row.flagged else "") + (self.attached if row.attached else "")


def _start(row, uid: str) -> str:
    unread = " cv-unread" if row.unread else ""
    return f'<tr class="cv-row{unread}" draggable="true" data-uid="{uid}">'


def _end(row) -> str:
    time = _TIME.format(escape(row.date_iso), escape(row.date_label)) if row.date_label else ""
    return f'<td>{time}</td><td class="cv-num">{escape(row.size)}</td></tr>'


def message_rows_html(rows: list[Row]) -> SafeString:
    """The <tr> of each message of a folder's list."""
    words, lines = _Labels(), []
    for row in rows:
        uid, subject = escape(row.uid), escape(row.subject)
        state = _STATE.format(escape(row.state)) if row.state else ""
        current = ' aria-current="true"' if row.current else ""
        lines.append(
            _start(row, uid)
            + f'<td class="cv-check"><input type="checkbox" name="uid" value="{uid}" id="m{uid}"'
            f' aria-label="{words.select} « {subject} »"></td>'
            f"<td>{words.unread if row.unread else ''}{escape(row.sender)}</td>"
            f"<td>{words.icons(row)}{state}"
            f'<a class="cv-open" href="{escape(row.href)}"{current}>{subject}</a></td>'
            + _end(row)
        )
    return mark_safe("\n".join(lines))  # noqa: S308 (every part escaped above)


def conversation_rows_html(rows: list[ConversationRow]) -> SafeString:
    """The <tr> of each conversation of a folder's list."""
    words, lines = _Labels(), []
    for row in rows:
        subject = escape(row.subject)
        count = _COUNT.format(row.count, words.messages) if row.count > 1 else ""
        lines.append(
            _start(row, escape(row.latest_uid))
            + f'<td class="cv-check"><input type="checkbox" name="conversation"'
            f' value="{escape(row.uids)}" aria-label="{words.select} « {subject} »"></td>'
            f"<td>{words.unread if row.unread else ''}{escape(row.senders)}{count}</td>"
            f'<td>{words.icons(row)}<a class="cv-open" href="{escape(row.href)}">{subject}</a></td>'
            + _end(row)
        )
    return mark_safe("\n".join(lines))  # noqa: S308 (every part escaped above)
