"""Invitations (iMIP): a calendar part in a message to local people is applied to their
agenda by the worker as the message is stored (calendar_app.inbox, queued: the agenda down
never holds mail): an attendee sees the invitation at once, an organiser the answers (a
functional mailbox's calendar, whose account has the mailbox's address, both). Only
a sender delivery can vouch for counts: an address of ours must have been submitted by its
owner, never claimed from outside."""

from email.utils import parseaddr

from calendar_app import inbox
from convergence.mail_domains import is_local
from mail.models import Mailbox


def sender_of(context) -> str:
    """The From address delivery vouches for ("": none)."""
    try:
        address = parseaddr(str(context.parsed.get("From", "")))[1].strip().lower()
    except Exception:  # an unreadable From: nobody to trust
        return ""
    if is_local(address):
        submitter = context.message.submitted_by
        if submitter is None or submitter.email.lower() != address:
            return ""  # our domain claimed on the inbound port: not the organiser
    return address


def process(context) -> None:
    if not context.local or not context.mailboxes:
        return
    data = inbox.calendar_part(context.parsed)
    sender = sender_of(context) if data else ""
    if not sender:
        return
    people = []
    for mailbox in context.mailboxes:
        if mailbox in context.junk:
            continue
        if mailbox.kind == Mailbox.Kind.PERSONAL and mailbox.owner_id:
            people.append(mailbox.owner_id)
        elif mailbox.kind == Mailbox.Kind.FUNCTIONAL:
            inbox.functional_later(mailbox.id, sender, data)
    if people:
        inbox.receive_later(people, sender, data)
