"""Local recipients to mailboxes: a distribution list reaches its members' mailboxes, each
once however many lists name them, skipping those an earlier attempt served."""

from directory import lists
from mail.models import Mailbox


def process(context) -> None:
    if not context.local:
        return
    plain, reached = lists.expand(context.local)
    mailboxes = list(Mailbox.objects.filter(address__in=plain))
    for address in set(plain) - {m.address for m in mailboxes}:
        context.errors[address] = "no such mailbox"
    by_address = {m.address: m for m in [*reached, *mailboxes] if m.address not in context.done}
    context.mailboxes = list(by_address.values())
