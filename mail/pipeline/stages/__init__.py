"""The delivery stages, in order. Each is one module with ``process(context)``, which reads
and fills the ``DeliveryContext``, or raises ``DeliveryDeferred`` to try the whole message
again later. A new stage is one module here and one line below."""

from mail.pipeline.stages import (
    append,
    bounce,
    external,
    folder_addresses,
    forwards_and_replies,
    invitations,
    lists,
    lmtp,
    plans,
    rooms,
    spam,
    stamp,
)

STAGES = [
    folder_addresses,  # shared mailboxes' folders with their own address: APPEND there
    rooms,  # rooms and equipment invited by mail: booked by the agenda, nothing stored
    lists,  # distribution lists: their members' mailboxes, each once
    spam,  # scored once; spam copies go to Junk, untouched by rules
    invitations,  # iMIP: applied to the agenda of local attendees and organisers
    plans,  # per recipient: rules, forwarding, absence message
    forwards_and_replies,  # spooled before storing, each at most once
    stamp,  # the delivery header on the copy Dovecot stores
    lmtp,  # plain plans and Junk: one LMTP transaction
    append,  # plans with folders or flags: IMAP APPEND
    external,  # other domains: the smarthost, or captured in development
    bounce,  # the sender hears of recipients that failed for good
]
