"""Spam: scored once for every local recipient (mail from our own users is not). Spam copies
go to Junk («login+Junk»); rules, forwarding and absence replies are not applied to them."""

from mail.pipeline import spam


def process(context) -> None:
    if not context.local:
        return
    context.local_copy, context.targets = spam.prepare_local_delivery(
        context.raw,
        imap_users=[m.imap_user for m in context.mailboxes],
        scan=context.message.submitted_by_id is None,
    )
    context.junk = [m for m in context.mailboxes if context.targets[m.imap_user] != m.imap_user]
