"""Rooms reached by mail: the agenda's named interface for the gateway and delivery.

A room has no mailbox, but its address takes invitations: an organiser from outside (Outlook,
Gmail…) invites it like a person. The gateway accepts the address (``is_room``), delivery
hands the calendar part to the worker (``receive_later`` → ``rooms.receive_by_mail``), and the
room's answer leaves from its address (``queue_answer``), submitted by its établissement's
service account, which may send from its rooms' addresses (``addresses_sent_by``)."""

import hashlib
from email.message import EmailMessage

from django.conf import settings
from django.db import IntegrityError
from django.utils import timezone

from calendar_app import ical, imip, inbox, itip, rooms
from calendar_app.models import Room
from convergence.queueing import enqueue_on_commit
from mail.models import OutgoingMessage
from mail.outgoing.sending import queue_outgoing

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


def queue_answer(room: Room, organizer_email: str, reply_text: str) -> None:
    """The room's REPLY, to leave from its address as the agenda's iMIP does: an outgoing
    message that the sending task claims, so it leaves once. Its Message-ID comes from the
    answer, so the same answer queued again (its task redelivered) is recorded once."""
    service = rooms.service_account(room.etablissement)
    reply = ical.parse(reply_text)
    partstat = itip.partstat_of(itip.first_event(reply), room.email)
    comment = str(itip.first_event(reply).get("COMMENT", ""))
    with rooms.speaking_to(None):
        message = imip.mail(service, "REPLY", reply, [organizer_email], partstat=partstat,
                            comment=comment, sender=(room.name, room.email))  # fmt: skip
    digest = hashlib.sha256(f"{room.email}\n{organizer_email}\n{reply_text}".encode()).hexdigest()
    message.replace_header("Message-ID", f"<room-answer.{digest[:40]}@{settings.MAIL_DOMAIN}>")
    if OutgoingMessage.objects.filter(message_id=message["Message-ID"]).exists():
        return
    try:
        queue_outgoing(user=service, mailbox=None, mail_from=room.email, message=message,
                       subject=str(message["Subject"]), recipients=[organizer_email],
                       send_after=timezone.now(), kind=OutgoingMessage.Kind.IMIP)  # fmt: skip
    except IntegrityError:  # recorded meanwhile by the same task, redelivered
        return
