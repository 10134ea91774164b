"""What the delivery stages pass along: one spooled message, parsed once, and what the
stages before have found, decided and done."""

from dataclasses import dataclass, field
from email.message import EmailMessage
from functools import cached_property

from convergence.mail_domains import is_local
from mail.message.parse import parse
from mail.models import Mailbox, SpooledMessage
from mail.pipeline.delivery_plan import RecipientPlan
from mail.pipeline.spool import read_spooled

# Added to each copy handed to Dovecot (not to the spooled bytes): a retry after a crash finds
# by it the copies an earlier attempt stored without recording them.
DELIVERY_HEADER = "X-Convergence-Delivery"


class DeliveryDeferred(Exception):
    """Some recipients could not be served yet (Dovecot down, message claimed): retry later."""


@dataclass
class DeliveryContext:
    message: SpooledMessage
    raw: bytes  # as the gateway accepted it; forwards and relays send these bytes
    local: list[str]  # our addresses not served yet
    external: list[str]  # the others not served yet
    done: set[str]  # served by earlier attempts
    # Handed to Dovecot by an attempt that never recorded the outcome (killed, cut off).
    unsure: set[str]
    errors: dict[str, str] = field(default_factory=dict)  # recipient → why not delivered
    deferred: bool = False  # some recipient must be tried again
    mailboxes: list[Mailbox] = field(default_factory=list)  # lists expanded, each once
    junk: list[Mailbox] = field(default_factory=list)  # scored as spam: to Junk, no rules
    targets: dict[str, str] = field(default_factory=dict)  # IMAP user → LMTP recipient
    local_copy: bytes = b""  # raw with our spam verdict on top
    plans: list[RecipientPlan] = field(default_factory=list)
    stamped: bytes = b""  # local_copy with the delivery header: what Dovecot stores

    @classmethod
    def load(cls, message: SpooledMessage) -> "DeliveryContext":
        """Raises stored.ContentMissing when the spooled bytes are gone."""
        done = set(message.delivered_to)
        pending = [r for r in message.recipients if r not in done]
        return cls(
            message=message,
            raw=read_spooled(message),
            local=[r for r in pending if is_local(r)],
            external=[r for r in pending if not is_local(r)],
            done=done,
            unsure=set(message.in_flight) - done,
        )

    @cached_property
    def parsed(self) -> EmailMessage:
        """Parsed on first use, once, for every stage (rules, loops, absence replies)."""
        return parse(self.raw)
