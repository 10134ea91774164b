"""Delegations end by themselves: past its end date a membership is removed, journalled,
and the person is told by a short mail through the gateway (like any other mail)."""

import logging
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Preferences
from mail.models import MailboxMember
from mail.transport import smtp
from shared_mailboxes import journal

logger = logging.getLogger(__name__)


def notice(member: MailboxMember) -> EmailMessage:
    user, mailbox = member.user, member.mailbox
    with translation.override(Preferences.of(user).language):
        message = EmailMessage()
        message["From"] = formataddr(("Convergence", f"ne-pas-repondre@{settings.MAIL_DOMAIN}"))
        message["To"] = formataddr((user.get_full_name(), _address_of(user)))
        message["Subject"] = _("Your access to %(mailbox)s has ended") % {
            "mailbox": mailbox.display_name
        }
        message["Date"] = format_datetime(timezone.localtime())
        message["Message-ID"] = make_msgid(domain=settings.MAIL_DOMAIN)
        message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation reply to this
        message.set_content(
            _(
                "Hello,\n\nYour access to the mailbox %(mailbox)s (%(address)s) ended on "
                "%(when)s, as planned when it was given to you.\n\nIf you still need it, ask "
                "the people who manage this mailbox.\n\nConvergence\n"
            )
            % {
                "mailbox": mailbox.display_name,
                "address": mailbox.address,
                "when": timezone.localtime(member.ends_at).strftime("%d/%m/%Y %H:%M"),
            }
        )
    return message


def _address_of(user) -> str:
    own = getattr(user, "personal_mailbox", None)
    return own.address if own is not None else user.email


def end_expired_delegations() -> int:
    """Idempotent: a member is told, then removed; a gateway outage leaves the row for the
    next run (the access itself already stopped at the end date, see mail.access)."""
    ended = 0
    now = timezone.now()
    expired = MailboxMember.objects.filter(ends_at__lte=now).select_related("user", "mailbox")
    for member in expired:
        try:
            smtp.send_to_gateway(
                notice(member).as_bytes(),
                mail_from=f"ne-pas-repondre@{settings.MAIL_DOMAIN}",
                recipients=[_address_of(member.user)],
                host=settings.GATEWAY_HOST,
                port=settings.GATEWAY_INBOUND_PORT,
            )
        except smtp.GatewayUnavailable as exc:
            logger.warning("delegation %s: notice not sent yet: %s", member.id, exc)
            continue
        except smtp.GatewayRejected as exc:  # the person has no mailbox any more
            logger.warning("delegation %s: notice refused: %s", member.id, exc)
        with transaction.atomic():
            removed, _ = MailboxMember.objects.filter(id=member.id, ends_at__lte=now).delete()
            if removed:
                journal.record(
                    mailbox=member.mailbox, user=member.user, action=journal.Action.EXPIRED,
                    details=member.user.username,
                )
                ended += 1
    return ended
