"""Moderated lists: mail from anyone but an owner waits for an owner's approval; a sender
whose message is refused is told so."""

import uuid
from email import message_from_bytes, policy
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid

from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from directory import lists
from directory.models import DistributionList, HeldMessage
from mail.pipeline.spool import spool_message


def _subject(raw: bytes) -> str:
    value = message_from_bytes(raw).get("Subject", "")
    try:
        return str(make_header(decode_header(value)))[:300]
    except (ValueError, LookupError):
        return value[:300]


def moderated_among(mail_from: str, recipients: list[str]):
    """The moderated lists among ``recipients`` that hold this sender's mail (not its owners')."""
    return DistributionList.objects.filter(
        address__in=[r.lower() for r in recipients], moderated=True
    ).exclude(owners__email=mail_from.lower())


def hold(raw: bytes, mail_from: str, recipients: list[str]) -> list[str]:
    """Keep one copy per moderated list the sender does not own (committed before the gateway
    answers 250); return the recipients still to spool."""
    held = set()
    with transaction.atomic():
        for dlist in moderated_among(mail_from, recipients):
            copy = lists.list_headers([dlist.address]) + raw
            HeldMessage.objects.create(dlist=dlist, sender=mail_from, subject=_subject(raw),
                                       raw=copy)
            held.add(dlist.address)
    return [r for r in recipients if r.lower() not in held]


def decide(dlist: DistributionList, held_id: str, *, approve: bool) -> None:
    with transaction.atomic():
        held = HeldMessage.objects.select_for_update().filter(dlist=dlist, pk=held_id).first()
        if held is None:
            raise Http404
        if approve:
            # Under the held message's id: approving twice cannot send it twice.
            spool_message(bytes(held.raw), mail_from=held.sender, recipients=[dlist.address],
                          spool_id=held.id)
        elif _may_notify(held):
            notice = refusal_notice(dlist, held).as_bytes(policy=policy.SMTP)
            # The null sender (no bounce of a bounce); a fixed id: at most one notice.
            spool_message(notice, mail_from="", recipients=[held.sender],
                          spool_id=uuid.uuid5(_NOTICES, str(held.id)))
        held.delete()


_NOTICES = uuid.UUID("3b0e7f9a-2c41-4d55-8e0b-51a9d6c2f7e3")


def _may_notify(held: HeldMessage) -> bool:
    """Never to the null sender nor in answer to an automatic message (RFC 3834: no loops)."""
    auto = str(message_from_bytes(bytes(held.raw)).get("Auto-Submitted", "no")).strip().lower()
    return bool(held.sender) and auto.split(";")[0] == "no"


def refusal_notice(dlist: DistributionList, held: HeldMessage) -> EmailMessage:
    """In the académie's language (the sender may be anyone), from the list's address."""
    with translation.override(settings.LANGUAGE_CODE):
        notice = EmailMessage()
        notice["From"] = formataddr((dlist.name, dlist.address))
        notice["To"] = held.sender
        notice["Subject"] = _("Message not distributed: %(subject)s") % {
            "subject": held.subject or _("(no subject)")}
        notice["Date"] = format_datetime(timezone.now())
        notice["Message-ID"] = make_msgid(domain=dlist.address.rpartition("@")[2])
        notice["Auto-Submitted"] = "auto-replied"  # RFC 3834 §5
        notice["X-Auto-Response-Suppress"] = "All"
        notice.set_content(_(
            "Hello,\n\nYour message «%(subject)s» sent on %(date)s to the list %(name)s "
            "<%(address)s> was not accepted by the list's moderators: it was not distributed."
            "\n\nIf you think it should be, write to the list's owners.\n") % {
            "subject": held.subject or _("(no subject)"),
            "date": timezone.localtime(held.created_at).strftime("%d/%m/%Y %H:%M"),
            "name": dlist.name, "address": dlist.address})  # fmt: skip
    return notice
