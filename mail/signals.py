"""What the mail app announces to the apps built on it (shared_mailboxes journals it).

Sent synchronously, inside the caller's transaction: a receiver's rows commit or roll back
with the message they describe."""

from django.dispatch import Signal

# A message written on the web was queued: user, mailbox, composition, message_id.
message_queued = Signal()
