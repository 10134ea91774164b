"""Distribution lists: who may write to a list address, and whom it reaches."""

from django.db.models import Q

from accounts.models import User
from directory.models import DistributionList
from mail.models import Mailbox


def find(address: str) -> DistributionList | None:
    return DistributionList.objects.filter(address=address.lower()).first()


def may_post(dlist: DistributionList, sender: str) -> bool:
    allowed = {line.strip().lower() for line in dlist.allowed_senders.splitlines()}
    allowed.discard("")
    return not allowed or sender.lower() in allowed


def member_mailboxes(dlist: DistributionList) -> list[Mailbox]:
    """Personal mailboxes of the list's active members."""
    people = Q(id__in=dlist.members.values("id"))
    if dlist.categories:
        by_role = Q(category__in=dlist.categories)
        if dlist.etablissement_id:
            by_role &= Q(etablissement_id=dlist.etablissement_id)
        people |= by_role
    users = User.objects.filter(people, is_active=True, status=User.Status.ACTIVE)
    return list(Mailbox.objects.filter(owner__in=users, kind=Mailbox.Kind.PERSONAL))


def expand(addresses: list[str]) -> tuple[list[str], list[Mailbox]]:
    """Split recipients into plain addresses and the mailboxes reached through lists (each
    once, however many lists reach it)."""
    lists = {dl.address: dl for dl in DistributionList.objects.filter(address__in=addresses)}
    plain = [a for a in addresses if a.lower() not in lists]
    reached: dict[str, Mailbox] = {}
    for dlist in lists.values():
        reached.update((m.address, m) for m in member_mailboxes(dlist))
    return plain, list(reached.values())
