"""Answering an invitation on someone's behalf (a secretary for a principal): the principal's
copy gets the answer, the organiser gets a REPLY whose ATTENDEE line is the principal's with
``SENT-BY="mailto:<secretary>"`` (RFC 5545 §3.2.18), in a mail from the secretary saying
«… pour le compte de …»; each answer goes into the principal's audit log. Only while the
delegation (a «modification» share that may answer, calendar_app.share_access) is in force.
A functional mailbox's calendar is answered the same way by whoever manages the mailbox, but
the REPLY leaves from the mailbox's address (its calendar's account), as its mail does."""

from django.core.exceptions import PermissionDenied

from accounts import audit
from calendar_app import ical, imip, itip, services, share_access
from calendar_app.sharing_models import FunctionalCalendar
from dav.client import DavConflict, dav_session


class NotInvited(Exception):
    pass


def awaiting(owner, event) -> bool:
    """Whether the owner is invited (not organising) to this event."""
    master = itip.first_event(event.parsed)
    me = owner.email.lower()
    return itip.organizer_of(master) not in ("", me) and any(
        p.email == me for p in itip.attendees_of(master))  # fmt: skip


def answer_for(delegate, owner, event, partstat: str, *, comment: str = "",
               request=None) -> str:  # fmt: skip
    """``event``: a services.StoredEvent from the owner's calendar. Returns the organiser's
    address. PermissionDenied without an in-force delegation; NotInvited otherwise."""
    if not share_access.delegates(owner, delegate):
        raise PermissionDenied
    if partstat not in itip.ANSWERS or not awaiting(owner, event):
        raise NotInvited(event.href)
    me = owner.email.lower()
    event = _answered(owner, event, partstat)
    master = itip.first_event(event.parsed)
    organizer = itip.organizer_of(master)
    person = itip.Person(me, owner.get_full_name(), partstat, comment.strip())
    reply = itip.reply(event.parsed, person, sent_by=delegate.email.lower())
    if FunctionalCalendar.objects.filter(account=owner).exists():  # the mailbox answers
        imip.queue(owner, "REPLY", reply, [organizer], partstat=partstat,
                   comment=person.comment)  # fmt: skip
    else:
        imip.queue(delegate, "REPLY", reply, [organizer], partstat=partstat,
                   comment=person.comment, on_behalf_of=owner)  # fmt: skip
    audit.record(audit.Kind.AGENDA_SHARING, user=owner, actor=delegate, request=request,
                 action="answered", uid=str(master.get("UID", "")), answer=partstat,
                 organizer=organizer)  # fmt: skip
    return organizer


def _answered(owner, event, partstat: str, attempts: int = 3):
    """The answer written on the owner's copy, as it is now: the worker may have rewritten it
    since the page read it (an update's mail, a phone's alarm). The answer is merged into
    the new version unless what the owner is invited to changed (DavConflict: the page shows
    the event again); returns the version written."""
    asked = itip.fingerprint(event.parsed)
    me = owner.email.lower()
    for _attempt in range(attempts):
        for component in itip.events(event.parsed):
            itip.set_partstat(component, me, partstat)
        try:
            with dav_session(owner.username) as store:
                store.put(event.calendar, event.href, ical.serialize(event.parsed),
                          etag=event.etag)  # fmt: skip
            return event
        except DavConflict:
            event = services.find_event(owner, event.calendar, event.href)
            if itip.fingerprint(event.parsed) != asked or not awaiting(owner, event):
                raise
    raise DavConflict(event.href)
