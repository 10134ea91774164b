"""Other domains: relayed through the smarthost; without one (development) kept in the
spool for inspection, never sent."""

from django.conf import settings

from mail.pipeline.context import DeliveryDeferred
from mail.transport import smtp


def process(context) -> None:
    message, external = context.message, context.external
    if not external:
        return
    if not settings.SMARTHOST:
        message.delivered_to += external
        return
    try:
        refused = smtp.relay(context.raw, mail_from=message.mail_from, recipients=external)
    except smtp.RelayUnavailable as exc:
        message.last_error = f"smarthost unavailable: {exc}"
        raise DeliveryDeferred(message.last_error) from exc
    context.errors.update(refused)
    if any(reply.startswith("4") for reply in refused.values()):
        context.deferred = True  # the smarthost asks to try those again later
    message.delivered_to += [r for r in external if r not in refused]
