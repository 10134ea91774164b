"""Who may do what with a calendar that is not theirs: THE answer, for the Radicale rights
plugin (CalDAV), the privacy rule and the web pages alike.

A person's level on (owner, collection) is the best of the in-force ``CalendarShare`` rows
that name them, a list they belong to or their role in their établissement, and, for a
functional calendar, their rights on its mailbox («lire» → «lecture», «gérer» →
«modification», with the answers to the mailbox's invitations). No database writes here:
the rights plugin runs inside Radicale."""

from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from calendar_app.sharing_models import RANK, CalendarShare, FunctionalCalendar, Level
from directory import lists
from mail import access


@dataclass(frozen=True)
class Grant:
    """A calendar someone may reach: whose, which, how; ``share`` is the CalendarShare id
    (None for a functional calendar, reached through its mailbox)."""

    owner_id: int
    collection: str
    level: str
    may_answer: bool = False
    share: int | None = None


def in_force() -> Q:
    return Q(ends_at__isnull=True) | Q(ends_at__gt=timezone.now())


def _named(user, rows) -> list[CalendarShare]:
    """The rows among ``rows`` that reach ``user``: by name, role or list membership."""
    found = []
    for row in rows:
        if row.user_id is not None:
            reaches = row.user_id == user.pk
        elif row.dlist_id is not None:
            reaches = lists.is_member(user, row.dlist)
        else:
            reaches = bool(user.category) and row.category == user.category and (
                row.etablissement_id == user.etablissement_id)  # fmt: skip
        if reaches:
            found.append(row)
    return found


def _candidates(user):
    """Rows that may name ``user`` (a list's membership is checked row by row)."""
    who = Q(user=user) | Q(dlist__isnull=False)
    if user.category and user.etablissement_id:
        who |= Q(category=user.category, etablissement_id=user.etablissement_id)
    return CalendarShare.objects.filter(in_force(), who).select_related("dlist")


def _functional_grants(user, owner_ids=None) -> list[Grant]:
    """Two queries whatever the number of functional mailboxes (the agenda asks each page)."""
    calendars = FunctionalCalendar.objects.filter(
        mailbox__in=access.mailboxes_with_right(user, "read"))
    if owner_ids is not None:
        calendars = calendars.filter(account_id__in=owner_ids)
    found = list(calendars.values_list("account_id", "mailbox_id"))
    if not found:
        return []
    managed = set(access.mailboxes_with_right(user, "manage").filter(
        pk__in=[mailbox for _, mailbox in found]).values_list("pk", flat=True))  # fmt: skip
    # Whoever manages the mailbox answers its invitations, as they would its mail.
    return [Grant(account, "", Level.WRITE, may_answer=True) if mailbox in managed
            else Grant(account, "", Level.READ) for account, mailbox in found]  # fmt: skip


def _best(grants) -> dict[tuple[int, str], Grant]:
    best: dict[tuple[int, str], Grant] = {}
    for grant in grants:
        key = (grant.owner_id, grant.collection)
        old = best.get(key)
        if old is None or (RANK[grant.level], grant.may_answer) > (RANK[old.level],
                                                                    old.may_answer):
            best[key] = grant
    return best


def grants_of(user, owner_ids=None) -> dict[tuple[int, str], Grant]:
    """Every calendar shared with ``user`` (optionally of some owners only), by (owner id,
    collection); a functional calendar's grant holds collection "" (all its calendars)."""
    if user is None or not user.is_authenticated:
        return {}
    rows = _candidates(user).exclude(owner=user)
    if owner_ids is not None:
        rows = rows.filter(owner_id__in=owner_ids)
    grants = [Grant(r.owner_id, r.collection, r.level, r.may_answer and r.level == Level.WRITE,
                    r.id) for r in _named(user, rows)]  # fmt: skip
    return _best(grants + _functional_grants(user, owner_ids))


def level_in(grants: dict, owner_id: int, collection: str) -> str:
    grant = grants.get((owner_id, collection)) or grants.get((owner_id, ""))
    return grant.level if grant is not None else ""


def level(user, owner, collection: str) -> str:
    """``user``'s level on ``owner``'s ``collection``: "" (none) or a ``Level``."""
    if user is None or owner is None:
        return ""
    return level_in(grants_of(user, [owner.pk]), owner.pk, collection)


def delegates(owner, user) -> bool:
    """Whether ``user`` may answer invitations on ``owner``'s behalf today."""
    return any(g.may_answer for g in grants_of(user, [owner.pk]).values())


def has_readers(owner, collection: str, level: str = Level.READ) -> bool:
    """Whether someone reads this calendar at ``level`` («lecture» or «disponibilités»): its
    filtered copy for that level is then kept (calendar_app.mirror)."""
    return level in reader_levels(owner, collection)


def reader_levels(owner, collection: str) -> set[str]:
    """The levels, «lecture» or «disponibilités», at which someone reads this calendar, in
    two queries for both (every change of every calendar asks, an invitation's copy too)."""
    return reader_levels_of([(owner, collection)])[(owner.pk, collection)]


def reader_levels_of(calendars: list[tuple]) -> dict[tuple[int, str], set[str]]:
    """``reader_levels`` of several (owner, collection), by (owner id, collection), in two
    queries for all (one invitation's copies in a batch of people's calendars)."""
    owners = {owner.pk for owner, _collection in calendars}
    functional = set(FunctionalCalendar.objects.filter(account_id__in=owners)
                     .values_list("account_id", flat=True))  # fmt: skip
    # A functional calendar's readers are its mailbox's: «lecture».
    found = {(owner.pk, collection): {Level.READ} if owner.pk in functional else set()
             for owner, collection in calendars}  # fmt: skip
    shared = CalendarShare.objects.filter(
        in_force(), owner_id__in=owners - functional, level__in=(Level.READ, Level.FREEBUSY),
        collection__in={collection for _owner, collection in calendars})  # fmt: skip
    for owner_id, collection, level in shared.values_list("owner_id", "collection", "level"):
        if (owner_id, collection) in found:
            found[(owner_id, collection)].add(level)
    return found
