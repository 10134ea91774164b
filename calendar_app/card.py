"""The event card the message page shows for a calendar part: an invitation with its answers
and a conflict warning, an update, a cancellation, an answer, or a plain .ics to add. The
interface the webmail's reading page calls (``card_for``); it never raises: unreadable or
hostile calendar data is a French sentence, not a 500."""

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext_lazy

from calendar_app import ical, imip, inbox, itip, services, share_access
from calendar_app.from_mail import parsed
from calendar_app.models import FunctionalCalendar, RoomBooking
from dav.client import DavUnavailable

logger = logging.getLogger(__name__)
_MAY_HOLD_CALENDAR = re.compile(rb"text/calendar|application/ics|\.ics", re.IGNORECASE)
PARTSTATS = {"ACCEPTED": pgettext_lazy("answer", "accepted"),
             "TENTATIVE": pgettext_lazy("answer", "maybe"),
             "DECLINED": pgettext_lazy("answer", "declined"),
             "NEEDS-ACTION": pgettext_lazy("answer", "no answer"),
             "DELEGATED": pgettext_lazy("answer", "delegated")}  # fmt: skip


@dataclass
class Attendee:
    email: str
    name: str
    answer: str  # accepted, maybe, declined, no answer


@dataclass
class Card:
    method: str = ""
    error: str = ""
    title: str = ""
    when: str = ""
    location: str = ""
    description: str = ""
    organizer: str = ""
    recurring: bool = False
    attendees: list[Attendee] = field(default_factory=list)
    mine: str = ""  # my answer as stored in my agenda (ACCEPTED…), "" if not invited
    answerable: bool = False
    conflicts: list[str] | None = None  # titles and times; None: the agenda did not answer
    answered_by: str = ""  # REPLY: who answered, and how
    answer: str = ""
    comment: str = ""
    part: int = -1  # the leaf part's index (the attachment URL's key), for «Ajouter»
    extra: dict = field(default_factory=dict)


def _leaf_index(message, wanted) -> int:
    index = 0
    for part in message.walk():
        if part.is_multipart():
            continue
        if part is wanted:
            return index
        index += 1
    return -1


def _calendar_leaf(message):
    for part in message.walk():
        if not part.is_multipart() and part.get_content_type() in inbox.CALENDAR_TYPES:
            return part
    for part in message.walk():
        name = (part.get_filename() or "").lower() if not part.is_multipart() else ""
        if name.endswith(".ics"):
            return part
    return None


def card_for(user, raw: bytes, *, personal: bool, owner=None, mailbox=None) -> Card | None:
    """None when the message holds no calendar; ``personal``: the reader's own mailbox (only
    there may they answer); ``owner``: the mailbox's owner, for whom a delegate may answer
    (from the principal's calendar: ``extra["on_behalf"]``); ``mailbox``: the one read, a
    functional mailbox's calendar taking its invitations like a principal's."""
    if not _MAY_HOLD_CALENDAR.search(raw):  # most messages: no second parse
        return None
    if owner is None and mailbox is not None and not personal:
        functional = FunctionalCalendar.objects.filter(mailbox=mailbox).select_related(
            "account").first()  # fmt: skip
        owner = functional.account if functional is not None else None
    try:
        message = parsed(raw)
        leaf = _calendar_leaf(message)
        if leaf is None:
            return None
        data = leaf.get_payload(decode=True) or b""
        card = _read(user, data[: inbox.MAX_PART_BYTES], personal)
        card.part = _leaf_index(message, leaf)
        if not personal and owner is not None and card.method == "REQUEST":
            card.extra["on_behalf"] = _on_behalf(user, owner, data[: inbox.MAX_PART_BYTES])
        return card
    except Exception:  # whatever the data, the message itself must still show
        logger.exception("calendar card")
        return Card(error=_("This message holds calendar data that cannot be read."))


def _read(user, data: bytes, personal: bool) -> Card:
    try:
        received = itip.read(data)
    except ical.BadCalendarData:
        return Card(error=_("This message holds calendar data that cannot be read: it may be "
                            "damaged. Ask the sender to send it again."))  # fmt: skip
    event = received.event
    card = Card(
        method=received.method or "PUBLISH",
        title=str(event.get("SUMMARY", ""))[:300] or _("(no title)"),
        when=imip.when_text(event) if event.get("DTSTART") is not None else "",
        location=str(event.get("LOCATION", ""))[:300],
        description=str(event.get("DESCRIPTION", ""))[:2000],
        organizer=_display(event.get("ORGANIZER"), received.organizer),
        recurring="RRULE" in event,
        attendees=[
            Attendee(p.email, p.name or p.email, _answer(p.partstat)) for p in received.attendees
        ],  # fmt: skip
    )
    me = user.email.lower()
    if received.method in ("REPLY", "COUNTER"):
        _reply_card(user, card, received)
    elif received.method == "REQUEST" and me in {p.email for p in received.attendees}:
        card.answerable = personal and received.organizer != me
        card.mine = _my_answer(user, received)
        card.conflicts = _conflicts(user, received)
    return card


def _on_behalf(user, owner, data: bytes) -> dict | None:
    """A delegate reading the principal's mailbox: where to answer for them (the principal's
    copy in their calendar, delegation.py), or None."""
    received = itip.read(data)
    if owner.email.lower() not in {p.email for p in received.attendees}:
        return None
    if not share_access.delegates(owner, user):
        return None
    try:
        copy = inbox.locate(owner, received.uid)
    except DavUnavailable:
        return None
    if copy is None:
        return None
    return {"owner": owner.username, "calendar": copy.calendar, "href": copy.href,
            "name": owner.get_full_name() or owner.email}  # fmt: skip


def _display(prop, email: str) -> str:
    name = str(getattr(prop, "params", {}).get("CN", "")) if prop is not None else ""
    return f"{name} <{email}>" if name and name.lower() != email else email


def _my_answer(user, received) -> str:
    try:
        copy = inbox.locate(user, received.uid)
    except DavUnavailable:
        return ""
    return itip.partstat_of(itip.first_event(copy.parsed), user.email.lower()) if copy else ""


def _span(event):
    start = event.get("DTSTART").dt
    end = event.get("DTEND").dt if event.get("DTEND") is not None else None
    zone = ical.local_zone()
    if not isinstance(start, datetime):
        start = datetime.combine(start, datetime.min.time(), zone)
        end = datetime.combine(end, datetime.min.time(), zone) if end else start + timedelta(1)
    start = ical.as_local(start, zone)
    end = ical.as_local(end, zone) if isinstance(end, datetime) else start
    return start, max(end, start + timedelta(minutes=1))


def _conflicts(user, received) -> list[str] | None:
    """What else the person has at that time (the first occurrence, busy events only)."""
    start, end = _span(received.event)
    try:
        calendars = services.calendars_of(user)
        found = services.occurrences_between(user, start, end, calendars)
    except DavUnavailable:
        return None
    return [f"{o.title or _('(no title)')} ({o.start:%H:%M}–{o.end:%H:%M})"
            if isinstance(o.start, datetime) else o.title
            for o in found if o.uid != received.uid and o.busy][:5]  # fmt: skip


def _reply_card(user, card: Card, received) -> None:
    person = received.attendees[0] if received.attendees else None
    if person is None:
        card.error = _("This answer names nobody.")
        return
    card.answered_by = person.name or person.email
    card.answer = _answer(person.partstat)
    card.comment = str(received.event.get("COMMENT", ""))[:1000]
    try:
        copy = inbox.locate(user, received.uid)
    except DavUnavailable:
        copy = None
    if copy is not None and itip.organizer_of(itip.first_event(copy.parsed)) == user.email.lower():
        card.attendees = [Attendee(p.email, p.name or p.email,
                                   _answer(p.partstat))
                          for p in itip.attendees_of(itip.first_event(copy.parsed))]  # fmt: skip
        card.extra["counts"] = counts(itip.attendees_of(itip.first_event(copy.parsed)))
        card.extra["event"] = (copy.calendar, copy.href)  # a COUNTER is applied by editing


def event_answers(calendar) -> dict:
    """The organiser's view of an event: each attendee's answer, and the counters."""
    event = itip.first_event(calendar)
    people = itip.attendees_of(event)
    if not people or itip.organizer_of(event) == "":
        return {}
    reasons = dict(RoomBooking.objects.filter(  # why a room declined, for its organiser
        uid=str(event.get("UID", "")), room__email__in=[p.email for p in people],
        status="DECLINED").values_list("room__email", "reason"))  # fmt: skip
    return {"attendees": [Attendee(p.email, p.name or p.email, _answer(p.partstat)
                                   if p.partstat != "DECLINED" or p.email not in reasons
                                   else _("%(answer)s: %(reason)s") % {
                                       "answer": _answer(p.partstat), "reason": reasons[p.email]})
                          for p in people], "counts": counts(people)}  # fmt: skip


def _answer(partstat: str) -> str:
    return str(PARTSTATS.get(partstat, PARTSTATS["NEEDS-ACTION"]))


def counts(people: list[itip.Person]) -> str:
    """«3 acceptés, 1 refusé, 2 sans réponse»."""
    tally = {"ACCEPTED": 0, "TENTATIVE": 0, "DECLINED": 0, "NEEDS-ACTION": 0}
    for person in people:
        tally[person.partstat if person.partstat in tally else "NEEDS-ACTION"] += 1
    parts = [
        ngettext("%(n)s accepted", "%(n)s accepted", tally["ACCEPTED"]),
        ngettext("%(n)s maybe", "%(n)s maybe", tally["TENTATIVE"]),
        ngettext("%(n)s declined", "%(n)s declined", tally["DECLINED"]),
        ngettext("%(n)s without answer", "%(n)s without answer", tally["NEEDS-ACTION"]),
    ]
    keys = ["ACCEPTED", "TENTATIVE", "DECLINED", "NEEDS-ACTION"]
    return ", ".join(p % {"n": tally[k]} for p, k in zip(parts, keys, strict=True)
                     if tally[k] or k != "TENTATIVE")  # fmt: skip
