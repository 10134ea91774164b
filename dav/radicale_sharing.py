"""Radicale sharing plugin (``[sharing] type = dav.radicale_sharing``, ``collection_by_map``):
the calendars shared with a person listed in their own home, where phones look for calendars
(iOS lists nothing else).

Radicale 3.9's «map» sharing shows ``/<grantee>/partage--<owner>--<calendar>/`` in the
grantee's home and serves it from the owner's collection; its database is this plugin,
which reads the shares from calendar_app.share_access (nothing is stored here, and Radicale's
API to create shares is not offered). «modification» maps to the calendar itself,
«lecture» and «disponibilités» to its filtered copies (calendar_app.mirror).
Radicale then checks the rights plugin as the owner; that plugin answers for the person who
signed in (dav.in_radicale.signed_in_user), so a share gives no more than the direct path."""

from radicale import pathutils, sharing

from dav.in_radicale import request_database, setup_django
from dav.radicale_rights import GRANTEE_WRITE
from dav.read_only import SHARED_PREFIX, WRITER_GROUP, is_read_only, mirror_of

setup_django()

from django.contrib.auth import get_user_model  # noqa: E402

from calendar_app import share_access  # noqa: E402
from calendar_app.sharing_models import Level  # noqa: E402


def shared_name(owner: str, collection: str) -> str:
    return f"{SHARED_PREFIX}{owner}--{collection}"


class Sharing(sharing.BaseSharing):
    def database_init(self) -> bool:
        return True

    def database_get_info(self) -> dict:
        return {"type": "convergence (calendar_app.share_access)"}

    def database_verify(self) -> bool:
        return True

    def database_list_sharing(self, OwnerOrUser=None, ShareType=None, PathOrToken=None,
                              PathMapped=None, User=None, **filters) -> list[dict]:  # fmt: skip
        """Only a grantee's own listing (PROPFIND of their home): the shares an owner gives
        are the web app's, not Radicale's to list, change or delete with a collection."""
        login = _person(User)
        if ShareType != "map" or not login or PathMapped is not None:
            return []
        shares = self._shares_of(login)
        return [s for s in shares if PathOrToken is None or s["PathOrToken"] == PathOrToken]

    def database_get_sharing(self, ShareType, PathOrToken, OnlyEnabled=True, User=None):
        parts = pathutils.strip_path(PathOrToken).split("/")
        if ShareType != "map" or len(parts) != 2 or not parts[1].startswith(SHARED_PREFIX):
            return None  # every request asks: the person's own calendars stop here
        login = _person(User)
        if not login or parts[0] != login:
            return None
        wanted = pathutils.unstrip_path("/".join(parts), True)
        return next((s for s in self._shares_of(login) if s["PathOrToken"] == wanted), None)

    def _shares_of(self, login: str) -> list[dict]:
        with request_database():
            user = get_user_model().objects.filter(username=login, is_active=True).first()
            grants = share_access.grants_of(user) if user is not None else {}
            owners = get_user_model().objects.filter(
                pk__in={owner_id for owner_id, _ in grants}, is_active=True).in_bulk()
        found = []
        for (owner_id, collection), grant in grants.items():
            owner = owners.get(owner_id)
            if owner is None:
                continue
            for name, display in self._calendars(owner.username, collection):
                source = name if grant.level == Level.WRITE else mirror_of(
                    name, busy=grant.level == Level.FREEBUSY)  # fmt: skip
                label = f"{display or name} ({owner.get_full_name() or owner.username})"
                found.append(_row(login, owner.username, name, source, grant.level, label))
        return found

    def _calendars(self, owner: str, collection: str) -> list[tuple[str, str]]:
        """(name, display name) of ``owner``'s calendar ``collection``, or of all their own
        calendars for a functional calendar's grant (collection "")."""
        with self._storage.acquire_lock("r", owner):
            found = []
            home = f"/{owner}/{collection}/" if collection else f"/{owner}/"
            for item in self._storage.discover(home, "0" if collection else "1"):
                name = item.path.partition("/")[2]  # "owner/collection"
                if (name and getattr(item, "tag", "") == "VCALENDAR"
                        and not is_read_only(name)):  # fmt: skip
                    found.append((name, item.get_meta("D:displayname")))
            return found


def _person(lookup: str | None) -> str:
    """The login in Radicale's «login:group,…», none for the web app's master login: its
    listings of a home are the person's own calendars (calendar_app.services)."""
    login, _, groups = (lookup or "").partition(sharing.SHARING_SEPARATOR_GROUP)
    return "" if WRITER_GROUP in groups.split(",") else login


def _row(login: str, owner: str, name: str, source: str, level: str, label: str) -> dict:
    return {
        "ShareType": "map",
        "PathOrToken": f"/{login}/{shared_name(owner, name)}/",
        "PathMapped": f"/{owner}/{source}/",
        "Conversion": "none",
        "Owner": owner,
        "User": login,
        "Permissions": GRANTEE_WRITE if level == Level.WRITE else "r",
        "EnabledByOwner": True,
        "EnabledByUser": True,
        "HiddenByOwner": False,
        "HiddenByUser": False,
        "TimestampCreated": 0,
        "TimestampUpdated": 0,
        "Properties": {"D:displayname": label},
        "Actions": {},
    }
