"""Rooms and equipment booked by inviting their address (RFC 5546 with the room as attendee).

The organiser's REQUEST reaches the room where the iMIP mails leave (``imip.queue``): after
each change of a collection, from the web or a phone, so both book the same way and the room
needs no mailbox. The worker's ``book`` checks and records every occurrence under a lock on
the room's row, so two bookings of one slot at the same moment end with one ACCEPTED and one
DECLINED; the answer goes back as a REPLY through ``inbox.receive``, the path of mailed
answers, and the room's copy is written to its own calendar under a service principal.

An organiser from outside invites the room by mail (``receive_by_mail``, from delivery
through ``calendar_app.room_mail``): the same check under the same lock, and the REPLY is
mailed back from the room's address."""

import hashlib
from contextlib import contextmanager, suppress
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts import account_mail, notices
from calendar_app import ical, inbox, itip
from calendar_app.models import Room, RoomBooking, RoomSlot
from convergence.mail_domains import is_local
from convergence.queueing import enqueue_on_commit
from dav.client import DavConflict, DavNotFound, DavRefused, dav_session
from directory.search import own_etablissement_ids

BOOK_TASK = "calendar_app.tasks.book_room"
RELEASE_TASK = "calendar_app.tasks.release_room"
MAIL_TASK = "calendar_app.tasks.mail_room_answer"
MAX_OCCURRENCES = 400  # a recurring booking is checked over this many occurrences at most
HORIZON = timedelta(days=2 * 366)
HELD = ("ACCEPTED", "TENTATIVE")
COLOR = "#6a6af4"  # the rooms' calendars


def principal_of(etablissement) -> str:
    """The service account whose home holds the établissement's room calendars."""
    return f"ressources.{etablissement.uai.lower()}"


def service_account(etablissement):
    username = principal_of(etablissement)
    user, created = get_user_model().objects.get_or_create(username=username, defaults={
        "email": f"{username}@{settings.MAIL_DOMAIN}", "first_name": _("Rooms"),
        "last_name": etablissement.name[:150], "etablissement": etablissement,
        "category": get_user_model().Category.ADMIN_STAFF})  # fmt: skip
    if created:  # not a person: out of the directory (the account's signal made an entry)
        entry = getattr(user, "directory_entry", None)
        if entry is not None:
            entry.delete()
    if user.has_usable_password():
        user.set_unusable_password()  # reached by the web app's master login only
        user.save(update_fields=["password"])
    now = timezone.now()
    if user.last_login is None or user.last_login < now - timedelta(days=1):
        # Used whenever a room is booked: not an inactive account to suspend (a suspended
        # one could no longer write the room calendars through the master login).
        status = get_user_model().Status
        get_user_model().objects.filter(pk=user.pk, status__in=[status.ACTIVE, status.SUSPENDED])\
            .update(last_login=now, status=status.ACTIVE)  # fmt: skip
    return user


def calendar_name(email: str) -> str:
    return slugify(email.split("@")[0])[:100] or "salle"


def create_room(etablissement, name: str, email: str, *, capacity: int = 0,
                policy: str = Room.Policy.AUTOMATIC, managers=()) -> Room:
    """A room (or equipment) and its calendar's name; running it again updates it."""
    email = email.strip().lower()
    room, _created = Room.objects.update_or_create(email=email, defaults={
        "etablissement": etablissement, "name": name, "capacity": capacity, "policy": policy,
        "calendar": calendar_name(email)})  # fmt: skip
    room.managers.add(*managers)
    service_account(etablissement)
    return room


def split(recipients: list[str]) -> tuple[list[str], list[Room]]:
    """(people to mail, rooms to book) among an iTIP message's recipients."""
    rooms = list(Room.objects.filter(email__in=recipients))
    taken = {r.email for r in rooms}
    return [r for r in recipients if r not in taken], rooms


def queue(organizer, method: str, calendar, rooms: list[Room]) -> None:
    text = ical.serialize(calendar)
    for room in rooms:
        if method == "REQUEST":
            enqueue_on_commit(BOOK_TASK, room.id, organizer.id, text)
        elif method == "CANCEL":
            enqueue_on_commit(RELEASE_TASK, room.id, str(itip.first_event(calendar)["UID"]))


def _occurrences(calendar) -> list[tuple[datetime, datetime]]:
    start = timezone.now() - timedelta(days=1)
    found = ical.expand(calendar, start, start + HORIZON, calendar="", href="", etag="",
                        cap=MAX_OCCURRENCES)  # fmt: skip
    slots = []
    for occurrence in found:
        begin, end = occurrence.start, occurrence.end
        if not isinstance(begin, datetime):  # all day: the whole local day(s)
            zone = ical.local_zone()
            begin = datetime.combine(begin, datetime.min.time(), zone)
            end = datetime.combine(end, datetime.min.time(), zone)
        slots.append((begin.astimezone(UTC), max(end, begin).astimezone(UTC)))
    return slots


def _busy_reason(clash: RoomSlot) -> str:
    when = timezone.localtime(clash.starts_at, ical.local_zone())
    end = timezone.localtime(clash.ends_at, ical.local_zone())
    return _("%(room)s is already booked on %(day)s from %(start)s to %(end)s.") % {
        "room": clash.room.name, "day": formats.date_format(when, "l j F Y"),
        "start": formats.time_format(when, "H:i"), "end": formats.time_format(end, "H:i")}


def book(room_id: int, organizer_id: int, text: str) -> str:
    """The room's answer to a REQUEST of one of our accounts (its event, from the web or a
    phone): checked and recorded under the room's lock, then told to the organiser; returns
    the status (the same REQUEST again gives the same answer)."""
    organizer = get_user_model().objects.filter(id=organizer_id).first()
    if organizer is None:
        return "not-from-organizer"
    return _book(room_id, organizer.email.lower(), organizer, text)


def receive_by_mail(room_id: int, sender: str, text: str) -> str:
    """An iTIP object mailed to the room's address, by an organiser from outside (Outlook…)
    or a client of ours that mails its invitations: ``sender`` is the address delivery has
    checked (From, and for our domains the account that submitted it). A REQUEST books the
    room as an internal invitation does; a CANCEL from the same organiser frees it."""
    try:
        received = itip.read(text)
    except ical.BadCalendarData:
        return "unreadable"
    sender = sender.lower()
    organizer = None
    if is_local(sender):
        organizer = get_user_model().objects.filter(email__iexact=sender, is_active=True).first()
    if received.method == "REQUEST":
        return _book(room_id, sender, organizer, text)
    if received.method == "CANCEL" and received.organizer == sender:
        if not RoomBooking.objects.filter(room_id=room_id, uid=received.uid,
                                          organizer_email=sender).exists():  # fmt: skip
            return "nothing-to-release"
        return release(room_id, received.uid)
    return "nothing-to-apply"


@contextmanager
def speaking_to(organizer):
    """The organiser's language (an outside organiser reads the académie's own)."""
    if organizer is not None:
        with account_mail.in_language_of(organizer):
            yield
        return
    with translation.override(settings.LANGUAGE_CODE), timezone.override(ical.local_zone()):
        yield


def _book(room_id: int, address: str, organizer, text: str) -> str:
    try:
        received = itip.read(text)
    except ical.BadCalendarData:
        return "unreadable"
    if received.organizer != address:
        return "not-from-organizer"
    room = Room.objects.filter(id=room_id).first()
    if room is None or room.email not in {p.email for p in received.attendees}:
        return "not-invited"
    digest = hashlib.sha256(text.encode()).hexdigest()
    answered = RoomBooking.objects.filter(room_id=room_id, uid=received.uid, answered=digest)\
        .values_list("status", flat=True).first()  # fmt: skip
    if answered is not None:  # the same REQUEST again (its task redelivered): nothing new
        return answered
    slots = _occurrences(received.calendar)
    with transaction.atomic():
        room = Room.objects.select_for_update().get(id=room_id)
        booking = RoomBooking.objects.filter(room=room, uid=received.uid).first()
        if booking is not None and booking.organizer_email not in ("", address):
            return "not-from-organizer"  # somebody else's event under the same UID
        if booking is not None and booking.sequence > received.sequence:
            return "already-applied"
        known = booking is not None  # else no copy of it can be in the room's calendar
        with speaking_to(organizer):
            status, reason = _decide(room, received.uid, slots, booking)
            summary = _("Busy") if _private(received.event) else str(
                received.event.get("SUMMARY", ""))[:300]  # fmt: skip
        values = {"organizer": organizer, "organizer_email": address, "summary": summary,
                  "status": status, "sequence": received.sequence, "reason": reason,
                  "request": text}  # fmt: skip
        # The row read above, under the same lock: written without reading it again.
        if booking is None:
            booking = RoomBooking.objects.create(room=room, uid=received.uid, **values)
        else:
            for name, value in values.items():
                setattr(booking, name, value)
            booking.save()
            booking.slots.all().delete()
        if status in HELD:
            RoomSlot.objects.bulk_create(RoomSlot(booking=booking, room=room, starts_at=s,
                                                  ends_at=e) for s, e in slots)  # fmt: skip
    answer(booking, copy_may_exist=known, calendar=received.calendar)
    # Only now: a run that dies before this is answered in full when delivered again. Not if
    # a newer REQUEST was recorded meanwhile (its own run answers it).
    RoomBooking.objects.filter(pk=booking.pk, request=text).update(answered=digest)
    return status


def _decide(room: Room, uid: str, slots, booking: RoomBooking | None) -> tuple[str, str]:
    """The answer and its reason, in the language of the caller's ``speaking_to``."""
    if not room.active:
        return "DECLINED", _("%(room)s can no longer be booked.") % {"room": room.name}
    if not slots:
        return "DECLINED", _("The event has no date the room could be booked for.")
    held = RoomSlot.objects.filter(room=room, starts_at__lt=max(e for _s, e in slots),
                                   ends_at__gt=min(s for s, _e in slots)) \
        .exclude(booking__uid=uid).select_related("room").order_by("starts_at")  # fmt: skip
    taken = list(held)
    for start, end in slots:
        for clash in taken:
            if clash.starts_at < end and clash.ends_at > start:
                return "DECLINED", _busy_reason(clash)
    approved = booking is not None and booking.status == "ACCEPTED" and set(slots) == {
        (h.starts_at, h.ends_at) for h in booking.slots.all()}  # fmt: skip
    if room.policy == Room.Policy.APPROVAL and not approved:  # a new time: approved again
        return "TENTATIVE", ""
    return "ACCEPTED", ""


def _private(component) -> bool:
    return str(component.get("CLASS", "PUBLIC")).upper() in ("PRIVATE", "CONFIDENTIAL")


def _as_seen_by_staff(component, summary: str) -> None:
    """The room's copy is read by the whole établissement: a private event is its time only."""
    if _private(component):
        for name in ("SUMMARY", "DESCRIPTION", "LOCATION", "ATTENDEE", "COMMENT", "CATEGORIES"):
            component.pop(name, None)
        component.add("SUMMARY", summary)


def answer(booking: RoomBooking, *, copy_may_exist: bool = True, calendar=None) -> None:
    """The room's copy in its calendar, and its REPLY applied to the organiser's event.
    ``copy_may_exist``: False for a first REQUEST, whose refusal then asks nothing of the
    room's calendar (under contention, the 19 refusals queued behind Radicale's writes),
    and whose acceptance writes the copy without looking for one. ``calendar``: the
    booking's REQUEST as ``_book`` read it (else read here), made the room's copy here.
    Under contention the 20 bookings share one process's CPU: each text is read once."""
    room, organizer = booking.room, booking.organizer
    if calendar is None:
        calendar = itip.read(booking.request).calendar
    for component in itip.events(calendar):
        itip.set_partstat(component, room.email, booking.status)
    reply = itip.reply(calendar, itip.Person(room.email, room.name, booking.status,
                                             booking.reason))  # fmt: skip
    mailed = ical.serialize(reply) if organizer is None else None
    # The REPLY has what it needs of the request: the request becomes the room's copy.
    if booking.status != "DECLINED":
        for component in itip.events(calendar):
            _as_seen_by_staff(component, booking.summary)
        _store_copy(room, booking.uid, calendar, may_exist=copy_may_exist)
    elif copy_may_exist:
        _store_copy(room, booking.uid, None)
    if organizer is None:  # from outside: the REPLY is mailed, from the room's address
        enqueue_on_commit(MAIL_TASK, room.id, booking.organizer_email, mailed)
        return
    inbox.receive_reply(organizer, room.email, itip.as_received(reply))
    with account_mail.in_language_of(organizer):
        title = {"ACCEPTED": _("%(room)s is booked for «%(title)s»."),
                 "TENTATIVE": _("%(room)s: your booking for «%(title)s» waits for a manager."),
                 }.get(booking.status, _("%(room)s declined «%(title)s».")) % {
            "room": room.name, "title": booking.summary or _("(no title)")}  # fmt: skip
        notices.notify(organizer, title, booking.reason)


def ensure_calendar(room: Room) -> None:
    """The room's calendar under its établissement's service principal."""
    with dav_session(service_account(room.etablissement).username) as store:
        if room.calendar not in {c.name for c in store.calendars()}:
            with suppress(DavConflict):  # made meanwhile by a booking at the same moment
                store.make_calendar(room.calendar, room.name, COLOR)


def _store_copy(room: Room, uid: str, calendar, *, may_exist: bool = True) -> None:
    """The room's copy written (``calendar``) or removed (None); ``may_exist``: False when
    no copy can be there yet, so none is looked for."""
    owner = service_account(room.etablissement)
    href = ical.href_for(uid)
    with dav_session(owner.username) as store:
        current = None
        if may_exist or calendar is None:
            with suppress(DavNotFound):
                current = store.get(room.calendar, href)
        if calendar is None:
            if current is not None:
                store.delete(room.calendar, href, etag=current.etag)
            return
        calendar.pop("METHOD", None)
        text, etag = ical.serialize(calendar), current.etag if current else None
        try:
            # Written meanwhile by a retry of the same booking: replaced.
            store.replace(room.calendar, href, text, etag=etag)
        except DavRefused:  # no calendar yet (a new room): made, then written
            ensure_calendar(room)
            store.replace(room.calendar, href, text, etag=etag)


def release(room_id: int, uid: str) -> str:
    """The organiser cancelled the event or took the room off it: the slots are free again."""
    with transaction.atomic():
        room = Room.objects.select_for_update().get(id=room_id)
        deleted, _rows = RoomBooking.objects.filter(room=room, uid=uid).delete()
    _store_copy(room, uid, None)
    return "released" if deleted else "nothing-to-release"


def decide_waiting(manager, booking_id: int, approve: bool) -> RoomBooking | None:
    """A manager's answer to a booking waiting for approval (None: not theirs to decide)."""
    with transaction.atomic():
        booking = RoomBooking.objects.select_related("room").filter(
            id=booking_id, status="TENTATIVE", room__managers=manager).first()  # fmt: skip
        if booking is None:
            return None
        Room.objects.select_for_update().get(id=booking.room_id)
        with speaking_to(booking.organizer):
            booking.status = "ACCEPTED" if approve else "DECLINED"
            booking.reason = "" if approve else _("The manager of %(room)s refused the "
                                                  "booking.") % {"room": booking.room.name}
        booking.save(update_fields=["status", "reason", "answered_at"])
        if not approve:
            booking.slots.all().delete()
    answer(booking)
    return booking


def rooms_of_staff(user, *, bookable_only: bool = True):
    """The rooms of every établissement the person works in."""
    found = Room.objects.filter(etablissement_id__in=own_etablissement_ids(user))
    return (found.filter(active=True) if bookable_only else found).select_related("etablissement")


def free_at(user, moment: datetime, minutes: int = 60) -> list[tuple[Room, RoomSlot | None]]:
    """The rooms of the person's établissements and, for each, what holds it in the hour from
    ``moment`` (None: free); those of their main établissement first."""
    end = moment + timedelta(minutes=minutes)
    rooms = sorted(rooms_of_staff(user), key=lambda r: (
        r.etablissement_id != user.etablissement_id, r.etablissement.name, r.name))  # fmt: skip
    busy = {}
    for slot in (RoomSlot.objects.filter(room__in=rooms, starts_at__lt=end, ends_at__gt=moment)
                 .select_related("booking").order_by("starts_at")):  # fmt: skip
        busy.setdefault(slot.room_id, slot)
    return [(room, busy.get(room.id)) for room in rooms]
