"""Permission-checked fetches: every view that touches a mailbox goes through here.

A person's rights on a mailbox are the union of: owning it (every right), a named
``MailboxMember`` row within its dates, and a ``RoleGrant`` for their category in their
établissement (shared_mailboxes), so access follows the directory as staff change.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from mail.models import Mailbox, MailboxMember
from shared_mailboxes.models import RoleGrant  # role grants are rights too (data only)

RIGHTS = ("read", "manage", "send_as", "send_on_behalf", "administer")


@dataclass(frozen=True)
class Rights:
    read: bool = False
    manage: bool = False
    send_as: bool = False
    send_on_behalf: bool = False
    administer: bool = False
    owner: bool = False

    @property
    def shared(self) -> bool:
        """Access through a delegation or a functional mailbox: what is done is journalled."""
        return not self.owner

    @property
    def may_send(self) -> bool:
        return self.send_as or self.send_on_behalf


def in_force(prefix: str = "") -> Q:
    """Membership rows within their optional dates, now (``prefix``: the relation to them)."""
    now = timezone.now()
    return (Q(**{f"{prefix}starts_at__isnull": True}) | Q(**{f"{prefix}starts_at__lte": now})) & (
        Q(**{f"{prefix}ends_at__isnull": True}) | Q(**{f"{prefix}ends_at__gt": now})
    )


def _role_q(user, prefix: str = "role_grants__") -> Q | None:
    # Without a category and an établissement no role matches (and a None here would turn
    # into an IS NULL that matches mailboxes without any grant).
    if not user.category or not user.etablissement_id:
        return None
    return Q(
        **{f"{prefix}category": user.category, f"{prefix}etablissement_id": user.etablissement_id}
    )


def mailboxes_with_right(user, *rights: str):
    """Mailboxes on which the user holds at least one of ``rights`` today."""
    condition = Q(owner=user)
    for right in rights:
        condition |= Q(members__user=user, **{f"members__can_{right}": True}) & in_force(
            "members__"
        )
        role = _role_q(user)
        if role is not None:
            condition |= role & Q(**{f"role_grants__can_{right}": True})
    return Mailbox.objects.filter(condition).distinct()


def readable_mailboxes(user):
    """The user's own mailbox and those shared with them that are in force today."""
    return mailboxes_with_right(user, "read")


def mailbox_rights(user, mailbox: Mailbox) -> Rights:
    if mailbox.owner_id is not None and mailbox.owner_id == user.id:
        return Rights(**dict.fromkeys(RIGHTS, True), owner=True)
    rows = list(
        MailboxMember.objects.filter(in_force(), mailbox=mailbox, user=user).values(
            *(f"can_{r}" for r in RIGHTS)
        )
    )
    role = _role_q(user, prefix="")
    if role is not None:
        rows += RoleGrant.objects.filter(role, mailbox=mailbox).values(
            *(f"can_{r}" for r in RIGHTS)
        )
    return Rights(**{r: any(row[f"can_{r}"] for row in rows) for r in RIGHTS})


def access_mailbox(
    user, mailbox_id: int, *, manage: bool = False, need: str | None = None
) -> Mailbox:
    """The mailbox if the user may read it (and, with ``manage``, change its messages and
    folders; with ``need``, hold that right too); 404 when they may not even read it, so no
    one learns it exists, 403 when they may read it but not do this."""
    mailbox = Mailbox.objects.filter(id=mailbox_id).first()
    rights = mailbox_rights(user, mailbox) if mailbox is not None else Rights()
    if not rights.read:
        raise Http404
    if (manage and not rights.manage) or (need and not getattr(rights, need)):
        raise PermissionDenied
    mailbox.rights = rights
    return mailbox
