"""Rooms and equipment invited by mail (an organiser from outside invites the room's address
like a person's): the calendar part goes to the agenda, which books the room and mails its
answer back (calendar_app.room_mail). A room has no mailbox: nothing is stored, and a
message without an invitation is refused like mail to an unknown address."""

from calendar_app import room_mail
from mail.pipeline.stages.invitations import sender_of

NOT_AN_INVITATION = "a room's address takes invitations only"


def process(context) -> None:
    found = room_mail.rooms_among(context.local)
    if not found:
        return
    sender = sender_of(context)
    for address, room_id in found.items():
        if sender and room_mail.receive_later(room_id, sender, context.parsed):
            context.message.delivered_to.append(address)
        else:
            context.errors[address] = NOT_AN_INVITATION
    context.local = [r for r in context.local if r not in found]
