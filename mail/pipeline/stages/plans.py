"""What happens for each recipient that is not spam: rules, forwarding, absence message."""

from mail.pipeline.delivery_plan import plan_deliveries


def process(context) -> None:
    if not context.local:
        return
    mailboxes = [m for m in context.mailboxes if m not in context.junk]
    context.plans = plan_deliveries(context.parsed, mailboxes, size=len(context.local_copy))
