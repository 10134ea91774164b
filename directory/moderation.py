"""Moderated lists: mail from anyone but an owner waits for an owner's approval."""

from email import message_from_bytes
from email.header import decode_header, make_header

from django.db import transaction
from django.http import Http404

from directory import lists
from directory.models import DistributionList, HeldMessage
from mail.pipeline.spool import spool_message


def _subject(raw: bytes) -> str:
    value = message_from_bytes(raw).get("Subject", "")
    try:
        return str(make_header(decode_header(value)))[:300]
    except (ValueError, LookupError):
        return value[:300]


def hold(raw: bytes, mail_from: str, recipients: list[str]) -> list[str]:
    """Keep one copy per moderated list the sender does not own (committed before the gateway
    answers 250); return the recipients still to spool."""
    moderated = DistributionList.objects.filter(
        address__in=[r.lower() for r in recipients], moderated=True
    ).exclude(owners__email=mail_from.lower())
    held = set()
    with transaction.atomic():
        for dlist in moderated:
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
        held.delete()
