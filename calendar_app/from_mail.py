"""«Créer un événement» from a message: the event form prefilled with its subject, the people
on it and its text. Reads the message through mail's named interfaces (access, IMAP, parsing),
as the person's own mailbox rights allow (404 otherwise)."""

from django.http import Http404
from django.utils import formats
from django.utils.translation import gettext as _

from calendar_app.forms import MAX_DESCRIPTION
from mail.access import access_mailbox
from mail.imap import InvalidRequest, imap_session
from mail.message.parse import message_part, parse, read_message

CALENDAR_TYPES = {"text/calendar", "application/ics"}


def raw_message(user, mailbox_id: int, folder: str, uid: int) -> bytes:
    mailbox = access_mailbox(user, mailbox_id)
    try:
        with imap_session(mailbox.imap_user) as box:
            raw = box.fetch_raw(folder, uid, mark_seen=False)
    except InvalidRequest as exc:
        raise Http404 from exc
    if raw is None:
        raise Http404
    return raw


def parsed(raw: bytes):
    return parse(raw)


def calendar_attachment(user, mailbox_id: int, folder: str, uid: int, index: int) -> bytes:
    """The bytes of an .ics attachment of the message (404 if that part is something else)."""
    part = message_part(raw_message(user, mailbox_id, folder, uid), index)
    name = (part.filename or "").lower() if part is not None else ""
    if part is None or (part.content_type not in CALENDAR_TYPES and not name.endswith(".ics")):
        raise Http404
    return part.data


def initial_from_message(user, mailbox_id: int, folder: str, uid: int) -> dict:
    message = read_message(raw_message(user, mailbox_id, folder, uid))
    people = ", ".join(p for p in [message.sender, *message.to, *message.cc] if p)
    heading = _("From the message «%(subject)s» of %(date)s") % {
        "subject": message.subject or _("(no subject)"),
        "date": formats.date_format(message.date, "j F Y") if message.date else "?",
    }
    description = f"{heading}\n{_('People')}: {people}\n\n{message.text.strip()}"
    return {"title": message.subject[:300], "description": description[:MAX_DESCRIPTION]}
