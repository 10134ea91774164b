"""Radicale rights plugin (``[rights] type = dav.radicale_rights``): who reaches which path.

Collections live at ``/<username>/<collection>/``. A person reaches their own; #14's sharing
adds the collections others share with them in ``shared_permissions`` (read from Django)."""

from radicale import pathutils, rights

from dav.read_only import restrict

OWN_HOME = "RW"  # list, create and delete one's collections
OWN_COLLECTION = "rw"  # read and write the events or cards in them


def own_permissions(user: str, path_parts: list[str]) -> str:
    if not path_parts or path_parts[0] != user:
        return ""
    return {1: OWN_HOME, 2: OWN_COLLECTION}.get(len(path_parts), "")


class Rights(rights.BaseRights):
    def authorization(self, user: str, user_groups: set, path: str) -> str:
        if not user:
            return ""
        sane_path = pathutils.strip_path(path)
        if not sane_path:
            return "R"  # the root: principal discovery
        parts = sane_path.split("/")
        return restrict(own_permissions(user, parts), parts, user_groups)
