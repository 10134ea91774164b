"""Last: the sender hears of the recipients that failed for good (RFC 3464, see bounces.py).
Not while some recipient waits for a retry: the final attempt reports them all."""

from mail.pipeline import bounces


def process(context) -> None:
    if context.deferred or not context.errors:
        return
    bounces.bounce_if_due(context.message, context.parsed, context.raw, context.errors)
