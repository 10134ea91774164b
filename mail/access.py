"""Permission-checked fetches: every view that touches a mailbox goes through here."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from mail.models import Mailbox, MailboxMember


def _in_force(prefix: str = "") -> Q:
    now = timezone.now()
    return (Q(**{f"{prefix}starts_at__isnull": True}) | Q(**{f"{prefix}starts_at__lte": now})) & (
        Q(**{f"{prefix}ends_at__isnull": True}) | Q(**{f"{prefix}ends_at__gt": now})
    )


def readable_mailboxes(user):
    """The user's own mailbox and those shared with them that are in force today."""
    shared = Q(members__user=user, members__can_read=True) & _in_force("members__")
    return Mailbox.objects.filter(Q(owner=user) | shared).distinct()


def access_mailbox(user, mailbox_id: int, *, manage: bool = False) -> Mailbox:
    """The mailbox if the user may read it (and, with ``manage``, change its messages and
    folders); 404 when they may not even read it, so no one learns it exists."""
    try:
        mailbox = readable_mailboxes(user).get(id=mailbox_id)
    except Mailbox.DoesNotExist:
        raise Http404 from None
    if manage and mailbox.owner_id != user.id:
        allowed = MailboxMember.objects.filter(
            _in_force(), mailbox=mailbox, user=user, can_manage=True
        ).exists()
        if not allowed:
            raise PermissionDenied
    return mailbox
