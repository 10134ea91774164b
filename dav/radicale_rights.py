"""Radicale rights plugin (``[rights] type = dav.radicale_rights``): who reaches which path.

Collections live at ``/<username>/<collection>/``. A person reaches their own; #14's sharing
adds the collections others share with them in ``shared_permissions`` (read from Django)."""

from radicale import pathutils, rights

from dav.in_radicale import request_database, setup_django
from dav.read_only import restrict

setup_django()

from django.contrib.auth import get_user_model  # noqa: E402

OWN_HOME = "RW"  # list, create and delete one's collections
OWN_COLLECTION = "rw"  # read and write the events or cards in them


def own_permissions(user: str, path_parts: list[str]) -> str:
    if not path_parts or path_parts[0] != user:
        return ""
    return {1: OWN_HOME, 2: OWN_COLLECTION}.get(len(path_parts), "")


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
        if not user:
            return ""
        sane_path = pathutils.strip_path(path)
        if not sane_path:
            return "R"  # the root: principal discovery
        parts = sane_path.split("/")
        return restrict(own_permissions(user, parts), parts, user_groups) or room_permissions(
            user, parts)
