"""Radicale rights plugin (``[rights] type = dav.radicale_rights``): who reaches which path.

Collections live at ``/<username>/<collection>/``. A person reaches their own; the calendars
others share with them (``shared_permissions``, from calendar_app.share_access: the one
answer for the web and CalDAV alike), on their path or as listed in one's own home
(dav/radicale_sharing.py); the room calendars of their établissement."""

from radicale import pathutils, rights

from dav.in_radicale import request_database, setup_django, signed_in_user
from dav.read_only import BUSY_PREFIX, SHARED_PREFIX, is_mirror, restrict, source_of

setup_django()

from django.contrib.auth import get_user_model  # noqa: E402

from calendar_app import share_access  # noqa: E402
from calendar_app.sharing_models import Level  # noqa: E402

OWN_HOME = "RW"  # list, create and delete one's collections
OWN_COLLECTION = "rw"  # read and write the events or cards in them
# «modification» on someone else's calendar: its events, not the calendar itself (no delete
# or overwrite of the collection, no property changes, no Radicale sharing of it).
GRANTEE_WRITE = "rwdolmt"


def own_permissions(user: str, path_parts: list[str]) -> str:
    if not path_parts or path_parts[0] != user:
        return ""
    if len(path_parts) >= 2 and path_parts[1].startswith(SHARED_PREFIX):
        return ""  # a shared calendar's place in the home (when shared: mapped before this)
    return {1: OWN_HOME, 2: OWN_COLLECTION}.get(len(path_parts), "")


def shared_permissions(user: str, path_parts: list[str]) -> str:
    """Another person's calendar shared with ``user``: «modification» reads and writes the
    calendar itself; «lecture» reads only its filtered copy ``lecture--<calendar>`` (private
    events as «Occupé» and their time: Radicale cannot filter per reader); «disponibilités
    seulement» only its busy copy ``disponibilites--<calendar>`` (every event «Occupé»).
    Never the owner's home (no listing, no new calendars there)."""
    if len(path_parts) != 2 or path_parts[0] == user:
        return ""
    home, collection = path_parts
    source = source_of(collection) if is_mirror(collection) else collection
    with request_database():
        people = {u.username: u for u in get_user_model().objects.filter(
            username__in=[user, home], is_active=True)}  # fmt: skip
        if len(people) != 2:
            return ""
        level = share_access.level(people[user], people[home], source)
    if collection.startswith(BUSY_PREFIX):
        return "r" if level else ""
    if is_mirror(collection):
        return "r" if level in (Level.READ, Level.WRITE) else ""
    return GRANTEE_WRITE if level == Level.WRITE else ""


ROOMS_PRINCIPAL = "ressources."  # calendar_app.rooms: one per établissement, ressources.<uai>


def room_permissions(user: str, path_parts: list[str]) -> str:
    """The room calendars of one's établissement, read only (bookings go by invitation)."""
    home = path_parts[0] if path_parts else ""
    if not home.startswith(ROOMS_PRINCIPAL) or len(path_parts) > 2:
        return ""
    with request_database():
        staff = get_user_model().objects.filter(
            username=user, etablissement__uai__iexact=home[len(ROOMS_PRINCIPAL):]).exists()
    return {1: "R", 2: "r"}[len(path_parts)] if staff else ""


class Rights(rights.BaseRights):
    def authorization(self, user: str, user_groups: set, path: str) -> str:
        if not user:  # anonymous: the auth plugin was not asked, nothing was recorded
            return ""
        # A calendar shared in the grantee's home (dav/radicale_sharing.py): Radicale asks as
        # its owner; the answer stays the grantee's, as on the calendar's own path.
        user = signed_in_user() or user
        sane_path = pathutils.strip_path(path)
        if not sane_path:
            return "R"  # the root: principal discovery
        parts = sane_path.split("/")
        if parts[0] == user:
            return restrict(own_permissions(user, parts), parts, user_groups)
        if parts[0].startswith(ROOMS_PRINCIPAL):
            return room_permissions(user, parts)
        return shared_permissions(user, parts)
