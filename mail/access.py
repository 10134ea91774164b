"""Permission-checked fetches: every view that touches a mailbox goes through here.

A person's rights on a mailbox are the union of: owning it (every right), a named
``MailboxMember`` row within its dates, and a ``RoleGrant`` for their category in their
établissement (shared_mailboxes), so access follows the directory as staff change.
"""

import uuid
from dataclasses import dataclass

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
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


# Who holds no delegation and no role grant reads only their own mailbox: the sidebar's
# query of the other mailboxes (3,900 Python calls) is skipped for them. The answer is kept
# per person under a token that any change of a membership or a role grant replaces.
GRANTS_TOKEN_KEY = "mail.grants.token"  # noqa: S105 (a cache key)
ANSWER_SECONDS = 7 * 24 * 3600  # a person gone for a week leaves nothing behind


def _answer_key(user) -> str:
    return f"mail.others.{user.pk}"


def grants_changed(**kwargs) -> None:
    """Receiver of every save and delete of a ``MailboxMember`` or a ``RoleGrant``: at once,
    and again after the commit, so no answer read from the rows before it outlives it."""
    _new_token()
    transaction.on_commit(_new_token)


def _new_token() -> None:
    cache.set(GRANTS_TOKEN_KEY, uuid.uuid4().hex, None)


def reads_only_own(user) -> bool:
    """True when the user has no membership row (in force or not) and no role grant for
    their category: the only mailbox they may read is their own."""
    found = cache.get_many([GRANTS_TOKEN_KEY, _answer_key(user)])
    token = found.get(GRANTS_TOKEN_KEY)
    if token is None:  # never set, or Redis emptied: a new one, never an old one again
        cache.add(GRANTS_TOKEN_KEY, uuid.uuid4().hex, None)
        token = cache.get(GRANTS_TOKEN_KEY)
    # A directory update may change the category; a database rebuilt may reuse the id.
    stamp = (token, user.category, user.etablissement_id, user.date_joined)
    kept = found.get(_answer_key(user))
    if token is not None and kept is not None and kept[:4] == stamp:
        return kept[4]
    role = _role_q(user, prefix="")
    answer = not MailboxMember.objects.filter(user=user).exists() and (
        role is None or not RoleGrant.objects.filter(role).exists()
    )
    if token is not None:
        cache.set(_answer_key(user), (*stamp, answer), ANSWER_SECONDS)
    return answer


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
