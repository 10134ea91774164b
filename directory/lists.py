"""Distribution lists: who may write to a list address, whom it reaches, who sees and keeps it."""

from email.header import Header

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from directory.models import DistributionList, JoinRequest, Person
from mail.models import Mailbox


def find(address: str) -> DistributionList | None:
    return DistributionList.objects.filter(address=address.lower()).first()


def _people(dlist: DistributionList) -> QuerySet:
    """The list's active members: named, and reached by category or discipline."""
    people = Q(id__in=dlist.members.values("id"))
    if dlist.categories:
        by_role = Q(category__in=dlist.categories)
        if dlist.etablissement_id:
            by_role &= Q(etablissement_id=dlist.etablissement_id)
        people |= by_role
    if dlist.discipline_id:
        teaching = Person.objects.filter(disciplines=dlist.discipline_id)
        if dlist.etablissement_id:
            teaching = teaching.filter(etablissements=dlist.etablissement_id)
        elif dlist.bassin:  # «les professeurs de mathématiques du bassin»
            teaching = teaching.filter(etablissements__bassin=dlist.bassin)
        people |= Q(id__in=teaching.values("user_id"))
    return User.objects.filter(people, is_active=True, status=User.Status.ACTIVE)


def may_post(dlist: DistributionList, sender: str) -> bool:
    sender = sender.lower()
    if dlist.ends_on and dlist.ends_on < timezone.localdate():
        return False
    allowed = {line.strip().lower() for line in dlist.allowed_senders.splitlines()}
    allowed.discard("")
    Posting = DistributionList.Posting
    if dlist.posting == Posting.CHOSEN or allowed:
        return sender in allowed
    if dlist.posting == Posting.MEMBERS:
        return (_people(dlist).filter(email=sender).exists()
                or dlist.owners.filter(email=sender).exists())  # fmt: skip
    if dlist.posting == Posting.ETABLISSEMENT and dlist.etablissement_id:
        return Person.objects.filter(
            user__email=sender, etablissements=dlist.etablissement_id
        ).exists()
    return True


def member_mailboxes(dlist: DistributionList) -> list[Mailbox]:
    """Personal mailboxes of the list's active members."""
    return list(Mailbox.objects.filter(owner__in=_people(dlist), kind=Mailbox.Kind.PERSONAL))


def expand(addresses: list[str]) -> tuple[list[str], list[Mailbox]]:
    """Split recipients into plain addresses and the mailboxes reached through lists (each
    once, however many lists reach it)."""
    lists = {dl.address: dl for dl in DistributionList.objects.filter(address__in=addresses)}
    plain = [a for a in addresses if a.lower() not in lists]
    reached: dict[str, Mailbox] = {}
    for dlist in lists.values():
        reached.update((m.address, m) for m in member_mailboxes(dlist))
    return plain, list(reached.values())


# --- the list pages ---------------------------------------------------------------------------


def may_manage(user: User, dlist: DistributionList) -> bool:
    """Owners; for an établissement's list its administrative staff too; IT support for the
    académie's central lists (functional, and by discipline)."""
    if dlist.owners.filter(pk=user.pk).exists():
        return True
    if dlist.kind == DistributionList.Kind.ETABLISSEMENT and dlist.etablissement_id:
        return (user.category == User.Category.ADMIN_STAFF
                and user.etablissement_id == dlist.etablissement_id)  # fmt: skip
    central = dlist.kind in (DistributionList.Kind.FUNCTIONAL, DistributionList.Kind.DISCIPLINE)
    return central and user.category == User.Category.IT_SUPPORT


def access_list(user: User, list_id: int, *, manage: bool = False) -> DistributionList:
    """A list the user may see (every staff member sees the académie's lists), or manage."""
    dlist = DistributionList.objects.filter(pk=list_id).select_related("etablissement").first()
    if dlist is None or (manage and not may_manage(user, dlist)):
        raise Http404
    return dlist


def is_member(user: User, dlist: DistributionList) -> bool:
    return _people(dlist).filter(pk=user.pk).exists()


def may_see_members(user: User, dlist: DistributionList) -> bool:
    return dlist.members_visible or may_manage(user, dlist) or is_member(user, dlist)


def members(dlist: DistributionList) -> list[User]:
    return list(_people(dlist).order_by("last_name", "first_name"))


def request_join(user: User, dlist: DistributionList) -> None:
    if not is_member(user, dlist):
        JoinRequest.objects.get_or_create(dlist=dlist, user=user)


def leave(user: User, dlist: DistributionList) -> None:
    """Only a named membership can be left: one by role follows the HR data."""
    dlist.members.remove(user)
    JoinRequest.objects.filter(dlist=dlist, user=user).delete()


def decide(dlist: DistributionList, request_id: int, *, approve: bool) -> User:
    with transaction.atomic():
        request = JoinRequest.objects.select_for_update().filter(
            dlist=dlist, pk=request_id).first()
        if request is None:
            raise Http404
        if approve:
            dlist.members.add(request.user)
        request.delete()
    return request.user


def create_project_list(owner: User, *, name: str, address: str, description: str,
                        ends_on) -> DistributionList:
    with transaction.atomic():
        dlist = DistributionList.objects.create(
            name=name, address=address, description=description, ends_on=ends_on,
            kind=DistributionList.Kind.PROJECT, posting=DistributionList.Posting.MEMBERS,
        )
        dlist.owners.add(owner)
        dlist.members.add(owner)
    return dlist


def may_create_discipline_lists(user: User) -> bool:
    return user.category == User.Category.IT_SUPPORT


def create_discipline_list(*, name: str, address: str, discipline, bassin: str,
                           etablissement) -> DistributionList:
    """Everyone teaching ``discipline`` in ``etablissement``, else in the établissements of
    ``bassin``, else in the académie: members follow the HR import, nobody is named."""
    return DistributionList.objects.create(
        name=name, address=address, kind=DistributionList.Kind.DISCIPLINE,
        discipline=discipline, etablissement=etablissement,
        bassin="" if etablissement else bassin,
    )


def list_headers(recipients: list[str]) -> bytes:
    """RFC 2369/2919 headers for mail to one list (List-Id, List-Post, List-Unsubscribe, where
    the list's page lets a named member leave). Mail to several lists at once gets none: a
    message carries one List-Id."""
    found = list(DistributionList.objects.filter(address__in=[r.lower() for r in recipients]))
    if len(found) != 1:
        return b""
    dlist = found[0]
    local, _, domain = dlist.address.partition("@")
    name = Header(dlist.name, "utf-8").encode() if not dlist.name.isascii() else dlist.name
    page = settings.PUBLIC_BASE_URL.rstrip("/") + reverse("directory:list", args=[dlist.pk])
    return (
        f"List-Id: {name} <{local}.{domain}>\r\n"
        f"List-Post: <mailto:{dlist.address}>\r\n"
        f"List-Unsubscribe: <{page}>\r\n"
        "Precedence: list\r\n"
    ).encode("ascii")
