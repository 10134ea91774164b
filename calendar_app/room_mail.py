"""Rooms reached by mail: the agenda's named interface for the gateway and delivery.

A room has no mailbox, but its address takes invitations: an organiser from outside (Outlook,
Gmail…) invites it like a person. The gateway accepts the address (``is_room``), delivery
hands the calendar part to the worker (``receive_later`` → ``rooms.receive_by_mail``), and the
room's answer leaves from its address (``answer_mail``), submitted by its établissement's
service account, which may send from its rooms' addresses (``addresses_sent_by``)."""

from email.message import EmailMessage

from calendar_app import ical, imip, inbox, itip, rooms
from calendar_app.models import Room
from convergence.queueing import enqueue_on_commit

TASK = "calendar_app.tasks.receive_room_mail"


def is_room(address: str) -> bool:
    return Room.objects.filter(email=address.strip().lower()).exists()


def rooms_among(addresses: list[str]) -> dict[str, int]:
    """address → room id, for the recipients that are rooms."""
    return dict(Room.objects.filter(email__in=[a.lower() for a in addresses])
                .values_list("email", "id"))  # fmt: skip


def addresses_sent_by(user) -> set[str]:
    """The rooms' addresses an account may send from: its établissement's service account
    sends the rooms' answers; nobody else."""
    if not user.username.startswith("ressources.") or not user.etablissement_id:
        return set()
    if user.username != rooms.principal_of(user.etablissement):
        return set()
    return set(Room.objects.filter(etablissement_id=user.etablissement_id)
               .values_list("email", flat=True))  # fmt: skip


def receive_later(room_id: int, sender: str, message: EmailMessage) -> bool:
    """Queues the message's calendar part for the room; False when it has none."""
    data = inbox.calendar_part(message)
    if not data:
        return False
    enqueue_on_commit(TASK, room_id, sender, data.decode("utf-8", "replace"))
    return True


def answer_mail(room: Room, organizer_email: str, reply_text: str) -> tuple[str, bytes]:
    """(the service account's login, the REPLY as a mail from the room's address)."""
    service = rooms.service_account(room.etablissement)
    reply = ical.parse(reply_text)
    partstat = itip.partstat_of(itip.first_event(reply), room.email)
    comment = str(itip.first_event(reply).get("COMMENT", ""))
    with rooms.speaking_to(None):
        raw = imip.build(service, "REPLY", reply, [organizer_email], partstat=partstat,
                         comment=comment, sender=(room.name, room.email))  # fmt: skip
    return service.username, raw
