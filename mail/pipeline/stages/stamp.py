"""The copy Dovecot stores starts with the delivery header (see mail/pipeline/in_flight.py)."""

from mail.pipeline.in_flight import stamped


def process(context) -> None:
    if context.local:
        context.stamped = stamped(context.local_copy, context.message)
