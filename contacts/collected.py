"""Collected addresses: the people one wrote to, kept in their own address book, apart from
the contacts one chose, and never twice."""

from email.utils import getaddresses

from django.contrib.auth import get_user_model

from contacts import services, vcard
from contacts.models import IndexedContact
from convergence.queueing import enqueue_on_commit

MAX_PER_MESSAGE = 50


def on_message_queued(sender, user, mailbox, composition, **kwargs) -> None:
    """Receiver of ``mail.signals.message_queued`` (connected in apps.py)."""
    enqueue_on_commit("contacts.tasks.collect_addresses", user.pk,
                      composition.recipients[:MAX_PER_MESSAGE])  # fmt: skip


def collect(user_id: int, recipients: list[str]) -> int:
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        return 0
    services.ensure_books(user)
    known = {e for emails in IndexedContact.objects.filter(owner=user, is_group=False)
             .values_list("emails", flat=True) for e in emails}  # fmt: skip
    added = 0
    for name, address in getaddresses(recipients):
        address = address.strip().lower()
        if "@" not in address or address in known or address == user.email.lower():
            continue
        known.add(address)
        contact = vcard.Contact(full_name=name.strip() or address,
                                emails=[vcard.Labelled("", address)])  # fmt: skip
        services.save(user, contact, book=services.COLLECTED)
        added += 1
    return added
