"""Answering an invitation from the message: «Accepter», «Peut-être», «Refuser», with a
comment and perhaps another time proposed. The event goes into one's agenda with the answer
(a refusal takes it out), and the organiser gets a REPLY (and a COUNTER for a new time)."""

from datetime import datetime

from calendar_app import ical, imip, inbox, itip, services
from dav.client import DavConflict, dav_session


class NotInvited(Exception):
    pass


def answer(user, data: bytes, partstat: str, *, comment: str = "",
           proposed: tuple[datetime, datetime] | None = None) -> itip.Received:  # fmt: skip
    """``data``: the calendar part of the message (re-read from the message, never posted).
    Raises ical.BadCalendarData, NotInvited, DavConflict (the event changed meanwhile)."""
    received = itip.read(data)
    me = user.email.lower()
    if (
        received.method != "REQUEST"
        or partstat not in itip.ANSWERS
        or me not in {p.email for p in received.attendees}
        or received.organizer == me
    ):
        raise NotInvited(received.uid)  # fmt: skip
    copy = inbox.locate(user, received.uid)
    if copy is not None and itip.sequence_of(itip.first_event(copy.parsed)) > received.sequence:
        source = copy.parsed  # a newer version is in the agenda: the answer is about it
    else:
        source = ical.wrap(*received.calendar.subcomponents)
    source = _store(user, received.uid, source, copy, partstat)
    person = itip.Person(me, user.get_full_name(), partstat, comment.strip())
    imip.queue(user, "REPLY", itip.reply(source, person), [received.organizer],
               partstat=partstat, comment=person.comment)  # fmt: skip
    if proposed is not None:
        imip.queue(user, "COUNTER", itip.reply(source, person, method="COUNTER",
                                               proposed=proposed),
                   [received.organizer], comment=person.comment)  # fmt: skip
    return received


def _store(user, uid: str, source, copy, partstat: str, attempts: int = 3):
    """The answer written on one's copy as it is now: the worker (an invitation's mail) or a
    phone may have rewritten it since it was read. Merged into that version unless what one
    is invited to changed (DavConflict: nothing is sent); returns the calendar answered."""
    asked = itip.fingerprint(source)
    for _attempt in range(attempts):
        try:
            _write(user, uid, source, copy, partstat)
            return source
        except DavConflict:
            copy = inbox.locate(user, uid)
            if copy is None or itip.fingerprint(copy.parsed) != asked:
                raise
            source = copy.parsed
    raise DavConflict(uid)


def _write(user, uid: str, source, copy, partstat: str) -> None:
    with dav_session(user.username) as store:
        if partstat == "DECLINED":
            if copy is not None:
                store.delete(copy.calendar, copy.href, etag=copy.etag)
            return
        for component in itip.events(source):
            itip.set_partstat(component, user.email.lower(), partstat)
        text = ical.serialize(source)
        if copy is not None:
            store.put(copy.calendar, copy.href, text, etag=copy.etag)
            return
        calendar = services.calendars_of(user)[0].name
        store.put(calendar, ical.href_for(uid), text, etag=None)
