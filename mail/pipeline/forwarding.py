"""«Transfert»: a mailbox's arriving mail sent on to another address, without loops.

A forwarded copy is spooled by the worker itself, with the original envelope sender (as a
classic redirect, so bounces reach whoever wrote), and goes through the same delivery as
anything the gateway accepted. It carries ``Delivered-To: <this mailbox>``: when it comes
back (A → B → A), or after too many hops, it is not sent on again.
"""

import logging
import uuid
from email.message import EmailMessage

from django.db import transaction
from django.utils.translation import gettext as _

from convergence.mail_domains import is_local
from mail.models import Forwarding, Mailbox, SpooledMessage
from mail.pipeline.rules import InvalidRule, check_address
from mail.pipeline.spool import spool_message

logger = logging.getLogger(__name__)

# Postfix stops at 50 Received headers; a message that went round a loop a few times has
# far more hops than any honest route.
MAX_HOPS = 30
_NAMESPACE = uuid.UUID("5f0c3a52-8c1e-4d7a-9a51-6f6f7a1d2b10")


def set_forwarding(mailbox: Mailbox, *, address: str, keep_copy: bool, by=None) -> Forwarding:
    """Add (or change) a forwarding of ``mailbox``. Callable without a request, e.g. by
    support on behalf of someone."""
    address = check_address(address)
    if address == mailbox.address.lower():
        raise InvalidRule(_("A mailbox cannot forward to itself."))
    check_local_address_exists(address)
    forwarding, created = Forwarding.objects.get_or_create(
        mailbox=mailbox, address=address, defaults={"keep_copy": keep_copy, "created_by": by}
    )
    if not created:
        forwarding.keep_copy = keep_copy
        forwarding.enabled = True
        forwarding.save(update_fields=["keep_copy", "enabled"])
    return forwarding


def check_local_address_exists(address: str) -> None:
    """An address of our own domains that no mailbox has would lose every forwarded copy."""
    if is_local(address) and not Mailbox.objects.filter(address=address).exists():
        raise InvalidRule(
            _("No mailbox of the académie has the address %(address)s.") % {"address": address}
        )


def remove_forwarding(forwarding: Forwarding) -> None:
    forwarding.delete()


def has_looped(parsed: EmailMessage, address: str) -> bool:
    """The message already went through this mailbox, or through far too many servers."""
    delivered = [str(v).strip().strip("<>").lower() for v in parsed.get_all("Delivered-To", [])]
    hops = len(parsed.get_all("Received", [])) + len(delivered)
    return address.lower() in delivered or hops >= MAX_HOPS


def forward_copy(
    raw: bytes, *, mailbox: Mailbox, mail_from: str, to: str, origin_id
) -> SpooledMessage | None:
    """Spool the copy for ``to``; at most once per original message, mailbox and target,
    since a delivery that is retried comes here again. None when it was spooled before."""
    copy_id = uuid.uuid5(_NAMESPACE, f"{origin_id}|{mailbox.address}|{to}")
    if SpooledMessage.objects.filter(id=copy_id).exists():
        return None
    stamped = f"Delivered-To: {mailbox.address}\r\n".encode() + raw
    with transaction.atomic():
        copy = spool_message(stamped, mail_from=mail_from, recipients=[to], spool_id=copy_id)
    logger.info("spool %s: forwarded for %s as %s", origin_id, mailbox.address, copy.id)
    return copy
