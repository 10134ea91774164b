"""Calendars shared with others, on the web: giving and taking a share (each in the account
audit log), the calendars shared with a person («Agendas partagés avec moi») and their
events as the privacy rule lets that person see them. Who may do what is
calendar_app.share_access; the CalDAV side is the rights plugin and calendar_app.mirror."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q

from accounts import audit
from calendar_app import ical, mirror, privacy, services, share_access
from calendar_app.models import AgendaSettings, IndexedEvent
from calendar_app.sharing_models import CalendarShare, Level
from dav import read_only
from dav.client import DavNotFound, dav_session


@dataclass(frozen=True)
class SharedCalendar:
    owner: object  # accounts.User
    name: str
    display_name: str
    color: str
    level: str
    may_answer: bool
    hidden: bool

    @property
    def key(self) -> str:
        """Its name among the viewer's hidden calendars."""
        return f"@{self.owner.username}/{self.name}"

    @property
    def writable(self) -> bool:
        return self.level == Level.WRITE

    def get_level_display(self) -> str:
        return str(Level(self.level).label)

    @property
    def owner_name(self) -> str:
        return self.owner.get_full_name() or self.owner.email


def shared_calendars(user, preferences: AgendaSettings | None = None) -> list[SharedCalendar]:
    """«Agendas partagés avec moi»: each owner's calendars for names and colours (a PROPFIND
    when not in the cache). ``preferences``: the viewer's AgendaSettings, when known."""
    grants = share_access.grants_of(user)
    if not grants:
        return []
    owners = get_user_model().objects.in_bulk({owner_id for owner_id, _ in grants})
    hidden = set((preferences or AgendaSettings.read(user)).hidden_calendars)
    found = []
    for owner_id in sorted(owners, key=lambda pk: owners[pk].get_full_name().lower()):
        owner = owners[owner_id]
        if not owner.is_active:
            continue
        collections = [c for c in services.stored_calendars(owner)
                       if not read_only.is_read_only(c.name)]  # fmt: skip
        for collection in collections:
            grant = grants.get((owner_id, collection.name)) or grants.get((owner_id, ""))
            if grant is None:
                continue
            key = f"@{owner.username}/{collection.name}"
            found.append(SharedCalendar(owner, collection.name, collection.display_name,
                                        collection.color or services.DEFAULT_COLOR,
                                        grant.level, grant.may_answer, key in hidden))
    return found


def access_shared(user, owner_login: str, name: str, *, write: bool = False) -> SharedCalendar:
    """A calendar shared with ``user``: DavNotFound (404) when it is not, PermissionDenied
    (403) for a change without «modification»."""
    for calendar in shared_calendars(user):
        if calendar.owner.username == owner_login and calendar.name == name:
            if write and not calendar.writable:
                raise PermissionDenied
            return calendar
    raise DavNotFound(name)


def occurrences_between(user, start: datetime, end: datetime,
                        calendars: list[SharedCalendar]) -> list[ical.Occurrence]:  # fmt: skip
    """The shown shared calendars' occurrences, each as the privacy rule lets ``user`` see
    it («Occupé» and its time for a private event, or for every event at «disponibilités»)."""
    found = []
    zone = ical.viewer_zone()
    for calendar in calendars:
        if calendar.hidden:
            continue
        with dav_session(calendar.owner.username) as store:
            resources = store.in_range(calendar.name, start, end)
        for resource in resources:
            try:
                expanded = ical.expand(resource.text, start, end, calendar=calendar.name,
                                       href=resource.href, etag=resource.etag,
                                       color=calendar.color, zone=zone)  # fmt: skip
            except ical.BadCalendarData:
                continue
            for occurrence in expanded:
                if calendar.level == Level.FREEBUSY and not occurrence.busy:
                    continue  # «libre»: not busy, so nothing to show at this level
                occurrence.owner = calendar.owner.username
                found.append(privacy.occurrence_for(user, calendar.owner, occurrence,
                                                    level=calendar.level))  # fmt: skip
    return found


def shown_occurrence(user, calendar: SharedCalendar, event: services.StoredEvent, key: str):
    occurrence = services.occurrence_in(event, key)
    occurrence.owner = calendar.owner.username
    occurrence.color = calendar.color
    return privacy.occurrence_for(user, calendar.owner, occurrence, level=calendar.level)


def search(user, text: str, start: datetime, end: datetime) -> list[ical.Occurrence]:
    """Search's part in the calendars shared with ``user`` at «lecture» or «modification»:
    at «lecture» a private event is never found (its words are not the reader's to search);
    at «disponibilités» nothing is (a match would tell what a busy time is)."""
    words = text.split()
    calendars = {(c.owner.pk, c.name): c for c in shared_calendars(user)
                 if c.level in (Level.READ, Level.WRITE)}  # fmt: skip
    if not words or not calendars:
        return []
    where = Q()
    for owner_id, name in calendars:
        where |= Q(owner_id=owner_id, collection=name)
    rows = IndexedEvent.objects.filter(where, starts_at__lt=end).filter(
        Q(ends_at__isnull=True) | Q(ends_at__gte=start))
    for word in words[:10]:
        rows = rows.filter(Q(summary__icontains=word) | Q(location__icontains=word)
                           | Q(description__icontains=word))  # fmt: skip
    found: list[ical.Occurrence] = []
    for row in rows.order_by("starts_at")[:services.SEARCH_LIMIT]:
        calendar = calendars[(row.owner_id, row.collection)]
        if row.private and calendar.level == Level.READ:
            continue
        try:
            with dav_session(calendar.owner.username) as store:
                resource = store.get(row.collection, row.href)
            expanded = ical.expand(resource.text, start, end, calendar=row.collection,
                                   href=row.href, etag=resource.etag, color=calendar.color,
                                   zone=ical.viewer_zone())  # fmt: skip
        except (DavNotFound, ical.BadCalendarData):
            continue
        for occurrence in expanded:
            if occurrence.private and calendar.level == Level.READ:
                continue  # a private occurrence of a public series: not found either
            occurrence.owner = calendar.owner.username
            found.append(privacy.occurrence_for(user, calendar.owner, occurrence,
                                                level=calendar.level))  # fmt: skip
    return found


# --- Giving and taking shares (the owner's page) -------------------------------------------


def shares_of(owner, collection: str) -> list[CalendarShare]:
    return list(CalendarShare.objects.filter(owner=owner, collection=collection)
                .select_related("user", "dlist", "etablissement").order_by("created_at"))


def grant(actor, owner, collection: str, *, request=None, **fields) -> CalendarShare:
    """One share (the form's checked fields), audited, and the filtered copy made if it is
    read at «lecture»."""
    share = CalendarShare.objects.create(owner=owner, collection=collection, created_by=actor,
                                         **fields)  # fmt: skip
    _audit("granted", actor, share, request)
    mirror.rebuild(owner, collection)
    return share


def revoke(actor, share: CalendarShare, *, request=None) -> None:
    _audit("revoked", actor, share, request)
    share.delete()
    mirror.rebuild(share.owner, share.collection)


def grantee_label(share: CalendarShare) -> str:
    if share.user_id:
        return share.user.get_full_name() or share.user.email
    if share.dlist_id:
        return f"{share.dlist.name} <{share.dlist.address}>"
    category = dict(get_user_model().Category.choices).get(share.category, share.category)
    uai = share.etablissement.uai if share.etablissement_id else ""
    return f"{category} ({uai})"


def _audit(action: str, actor, share: CalendarShare, request) -> None:
    audit.record(audit.Kind.AGENDA_SHARING, user=share.owner, actor=actor, request=request,
                 action=action, calendar=share.collection, grantee=grantee_label(share),
                 level=share.level, delegation=share.may_answer,
                 until=share.ends_at.isoformat() if share.ends_at else "")  # fmt: skip
