"""The optional daily summary, by mail, of the unread messages in the folders one chose.

It is sent through the gateway's submission port as the person, to themselves, like any
message written in the web app (``mail.outgoing.sending.queue_outgoing``), at most once a day.
"""

import logging
import zoneinfo
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Preferences
from mail.imap import InvalidRequest, MailStoreUnavailable, SearchQuery, imap_session
from mail.imap.folders import find, label_for
from mail.models import Mailbox, OutgoingMessage
from mail.outgoing.sending import queue_outgoing
from notifications.models import NotificationSettings

logger = logging.getLogger(__name__)

LISTED_PER_FOLDER = 20
DIGEST_HEADER = "X-Convergence-Digest"


def send_due_digests(now: datetime | None = None) -> int:
    """Every summary whose hour has come today in its owner's time zone; returns how many
    were queued. The day is claimed first, so two beats never send the same summary."""
    now = now or timezone.now()
    sent = 0
    for row in NotificationSettings.objects.filter(digest=True).select_related("user"):
        local = timezone.localtime(now, _time_zone(row.user))
        if local.hour < row.digest_hour or (
            row.last_digest_on and row.last_digest_on >= local.date()
        ):
            continue
        claimed = (
            NotificationSettings.objects.filter(id=row.id)
            .filter(Q(last_digest_on__isnull=True) | Q(last_digest_on__lt=local.date()))
            .update(last_digest_on=local.date())
        )
        if not claimed:
            continue
        try:
            sent += send_digest(row, local) is not None
        except MailStoreUnavailable:
            logger.warning(
                "digest of user %s postponed: the mail store is not answering", row.user_id
            )
            NotificationSettings.objects.filter(id=row.id).update(last_digest_on=row.last_digest_on)
    return sent


def send_digest(row: NotificationSettings, local: datetime) -> OutgoingMessage | None:
    """Nothing unread, no mail."""
    user = row.user
    mailbox = Mailbox.objects.filter(owner=user).first()
    if mailbox is None or not user.is_active:
        return None
    language = Preferences.of(user).language
    with imap_session(mailbox.imap_user) as box:
        folders = box.folders()
        sections = []
        for name in row.digest_folders:
            folder = find(folders, name)
            if folder is None or not folder.selectable:
                continue
            try:
                page = box.list_page(
                    name, page=1, page_size=LISTED_PER_FOLDER, query=SearchQuery(unread=True)
                )
            except InvalidRequest:
                continue
            # Earlier summaries are unread mail too: they are not listed again.
            envelopes = [e for e in page.envelopes if not _is_digest(e, mailbox)]
            total = page.total - (len(page.envelopes) - len(envelopes))
            if total > 0:
                sections.append((folder, total, envelopes))
    if not sections:
        return None
    with translation.override(language):
        message = _build(user, mailbox, row, local, sections)
    return queue_outgoing(
        user=user,
        mailbox=mailbox,
        message=message,
        subject=str(message["Subject"]),
        recipients=[mailbox.address],
        send_after=timezone.now(),
        kind=OutgoingMessage.Kind.DIGEST,
    )


def _time_zone(user):
    try:
        return zoneinfo.ZoneInfo(Preferences.of(user).time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _subject_prefix() -> str:
    return _("Your unread messages")


def _is_digest(envelope, mailbox: Mailbox) -> bool:
    return envelope.sender_address.lower() == mailbox.address.lower() and any(
        envelope.subject.startswith(_subject_prefix_in(code)) for code, _name in settings.LANGUAGES
    )


def _subject_prefix_in(language: str) -> str:
    with translation.override(language):
        return _subject_prefix()


def _build(user, mailbox, row, local, sections) -> EmailMessage:
    total = sum(count for _, count, _ in sections)
    lines = [
        _("Hello %(name)s,") % {"name": user.first_name or user.get_full_name()},
        "",
        ngettext("You have %(count)s unread message.", "You have %(count)s unread messages.", total)
        % {"count": total},
    ]
    for folder, count, envelopes in sections:
        lines += ["", f"{label_for(folder)} ({count})"]
        for envelope in envelopes:
            # imapclient gives naive dates in the system's local time; astimezone reads them so.
            when = (
                date_format(envelope.date.astimezone(local.tzinfo), "d/m H:i")
                if envelope.date
                else ""
            )
            sender = envelope.sender_name or envelope.sender_address
            lines.append(f"  • {when} — {sender} — {envelope.subject or _('(no subject)')}")
        if count > len(envelopes):
            lines.append("  " + _("… and %(count)s more.") % {"count": count - len(envelopes)})
    base = settings.PUBLIC_BASE_URL.rstrip("/")
    lines += [
        "",
        _("Read your mail: %(url)s") % {"url": base + reverse("mail:home")},
        "",
        _(
            "You receive this summary every day at %(hour)s h because you asked for it. "
            "To stop it or change it: %(url)s"
        )
        % {"hour": row.digest_hour, "url": base + reverse("notifications:preferences")},
    ]
    message = EmailMessage()
    message["From"] = formataddr(("Convergence", mailbox.address))
    message["To"] = formataddr((user.get_full_name(), mailbox.address))
    message["Subject"] = f"{_subject_prefix()} — {date_format(local, 'j F Y')}"
    message["Date"] = format_datetime(timezone.localtime())
    message["Message-ID"] = make_msgid(domain=settings.MAIL_DOMAIN)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation reply to it
    message[DIGEST_HEADER] = "1"
    message.set_content("\n".join(lines) + "\n")
    return message
