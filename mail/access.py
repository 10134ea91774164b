"""Permission-checked fetches: every view that touches a mailbox goes through here."""

from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from mail.models import Mailbox


def readable_mailboxes(user):
    """The user's own mailbox and those shared with them that are in force today."""
    now = timezone.now()
    shared = (
        Q(
            members__user=user,
            members__can_read=True,
        )
        & (Q(members__starts_at__isnull=True) | Q(members__starts_at__lte=now))
        & (Q(members__ends_at__isnull=True) | Q(members__ends_at__gt=now))
    )
    return Mailbox.objects.filter(Q(owner=user) | shared).distinct()


def access_mailbox(user, mailbox_id: int) -> Mailbox:
    """The mailbox if the user may read it; 404 otherwise, so no one learns it exists."""
    try:
        return readable_mailboxes(user).get(id=mailbox_id)
    except Mailbox.DoesNotExist:
        raise Http404 from None
