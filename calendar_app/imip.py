"""iMIP (RFC 6047): an iTIP object as a mail anyone's client understands: a readable text part
and the ``text/calendar; method=…`` part, from the person who organises or answers. Sent by the
worker through the gateway's submission port, as that person, like any mail they write: each
mail is an OutgoingMessage row (kind «imip») sent by mail.outgoing.sending, which claims each
step, so a task the broker delivers again sends nothing more."""

import logging
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formataddr, formatdate, make_msgid

from django.conf import settings
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts import account_mail
from calendar_app import ical, itip, rooms
from mail.models import Mailbox, OutgoingMessage
from mail.outgoing.sending import queue_outgoing

logger = logging.getLogger(__name__)


def when_text(component) -> str:
    start = component.get("DTSTART").dt
    end_prop = component.get("DTEND")
    zone = ical.local_zone()
    if not isinstance(start, datetime):
        return formats.date_format(start, "l j F Y")
    start = ical.as_local(start, zone)
    text = formats.date_format(start, "l j F Y, H:i")
    if end_prop is not None and isinstance(end_prop.dt, datetime):
        end = ical.as_local(end_prop.dt, zone)
        text += " – " + (formats.time_format(end, "H:i") if end.date() == start.date()
                         else formats.date_format(end, "l j F Y, H:i"))  # fmt: skip
    return text


def _subject(method: str, title: str, partstat: str, update: bool) -> str:
    if method == "CANCEL":
        return _("Cancelled: %(title)s") % {"title": title}
    if method == "COUNTER":
        return _("New time proposed: %(title)s") % {"title": title}
    if method == "REPLY":
        return {
            "ACCEPTED": _("Accepted: %(title)s"), "TENTATIVE": _("Maybe: %(title)s"),
        }.get(partstat, _("Declined: %(title)s")) % {"title": title}  # fmt: skip
    if update:
        return _("Updated invitation: %(title)s") % {"title": title}
    return _("Invitation: %(title)s") % {"title": title}


def _body(method: str, component, sender_name: str, partstat: str, comment: str,
          principal: str = "") -> str:  # fmt: skip
    title = str(component.get("SUMMARY", "")) or _("(no title)")
    lines = []
    if method == "REQUEST":
        lines.append(
            _("%(name)s invites you to «%(title)s».") % {"name": sender_name, "title": title}
        )
    elif method == "CANCEL":
        lines.append(_("%(name)s cancelled «%(title)s».") % {"name": sender_name, "title": title})
    elif method == "COUNTER":
        lines.append(_("%(name)s proposes another time for «%(title)s».")
                     % {"name": sender_name, "title": title})  # fmt: skip
    else:
        answer = {"ACCEPTED": _("accepted"), "TENTATIVE": _("answered «maybe» to"),
                  "DECLINED": _("declined")}.get(partstat, _("declined"))  # fmt: skip
        if principal:  # a delegate answering (SENT-BY)
            lines.append(_("%(name)s %(answer)s «%(title)s» on behalf of %(principal)s.")
                         % {"name": sender_name, "answer": answer, "title": title,
                            "principal": principal})  # fmt: skip
        else:
            lines.append(_("%(name)s %(answer)s «%(title)s».")
                         % {"name": sender_name, "answer": answer, "title": title})  # fmt: skip
    if component.get("DTSTART") is not None:
        lines.append(_("When: %(when)s") % {"when": when_text(component)})
    if component.get("LOCATION"):
        lines.append(_("Where: %(place)s") % {"place": component.get("LOCATION")})
    people = itip.attendees_of(component)
    if method == "REQUEST" and people:
        lines.append(_("Attendees: %(people)s")
                     % {"people": ", ".join(p.name or p.email for p in people)})  # fmt: skip
    if comment:
        lines.append(_("Comment: %(comment)s") % {"comment": comment})
    description = str(component.get("DESCRIPTION", "")).strip()
    if method == "REQUEST" and description:
        lines += ["", description[:5000]]
    if method == "REQUEST":
        lines += ["", _("Answer from the message in your webmail, or in your agenda "
                        "application.")]  # fmt: skip
    return "\n".join(lines) + "\n"


def build(user, method: str, calendar, recipients: list[str], **options) -> bytes:
    return mail(user, method, calendar, recipients, **options).as_bytes(policy=SMTP)


def mail(user, method: str, calendar, recipients: list[str], *, update: bool = False,
             partstat: str = "", comment: str = "", on_behalf_of=None,
             sender: tuple[str, str] | None = None) -> EmailMessage:  # fmt: skip
    """The mail, in the sender's language; ``calendar`` is the iTIP object (with METHOD);
    ``on_behalf_of``: the person a delegate answers for; ``sender``: (name, address) when it
    is not the account's own (a room's answer)."""
    component = itip.first_event(calendar)
    with account_mail.in_language_of(user):
        name, address = sender or (user.get_full_name() or user.email, user.email)
        title = str(component.get("SUMMARY", "")) or _("(no title)")
        message = EmailMessage()
        message["From"] = formataddr((name, address))
        message["To"] = ", ".join(recipients)
        message["Subject"] = _subject(method, title, partstat, update)
        message["Date"] = formatdate(localtime=True)
        message["Message-ID"] = make_msgid(domain=settings.MAIL_DOMAIN)
        principal = ""
        if on_behalf_of is not None:
            principal = on_behalf_of.get_full_name() or on_behalf_of.email
            message.replace_header("Subject", f"{message['Subject']} ({principal})")
        message.set_content(_body(method, component, name, partstat, comment, principal),
                            cte="quoted-printable")  # fmt: skip
    message.add_alternative(ical.serialize(calendar), subtype="calendar", cte="quoted-printable",
                            params={"method": method})  # fmt: skip
    return message


def queue(user, method: str, calendar, recipients: list[str], **options) -> None:
    """Recorded with the caller's transaction, sent by the worker once it commits (retried
    while the gateway is down), from the sender's mailbox: their own, or the functional
    mailbox whose calendar's account they are."""
    recipients = sorted({r for r in recipients if r and r != user.email.lower()})
    recipients, rooms_invited = rooms.split(recipients)  # booked, not mailed
    rooms.queue(user, method, calendar, rooms_invited)
    if not recipients:
        return
    mailbox = Mailbox.objects.filter(Q(owner=user) | Q(functional_calendar__account=user)).first()
    if mailbox is None:  # an account without a mailbox has no address to send from
        logger.warning("iMIP %s from %s: no mailbox to send from", method, user.username)
        return
    message = mail(user, method, calendar, recipients, **options)
    queue_outgoing(user=user, mailbox=mailbox, message=message, subject=str(message["Subject"]),
                   recipients=recipients, send_after=timezone.now(),
                   kind=OutgoingMessage.Kind.IMIP)  # fmt: skip
