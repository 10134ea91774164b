"""Radicale rights plugin (``[rights] type = dav.radicale_rights``): who reaches which path.

Collections live at ``/<username>/<collection>/``. A person reaches their own; #14's sharing
adds the collections others share with them in ``shared_permissions`` (read from Django)."""

from radicale import pathutils, rights

from dav.in_radicale import is_web_app

OWN_HOME = "RW"  # list, create and delete one's collections
OWN_COLLECTION = "rw"  # read and write the events or cards in them
READ_ONLY = "r"
# Collections in a person's home that only the web app writes: the staff of their
# établissements (contacts/staff.py). Phones read them; nobody but the web app changes them.
READ_ONLY_PREFIXES = ("etablissement-",)


def read_only_collection(collection: str) -> bool:
    """Read-only for the person and their devices, whatever else the rules give them."""
    return collection.startswith(READ_ONLY_PREFIXES) and not is_web_app()


def own_permissions(user: str, path_parts: list[str]) -> str:
    if not path_parts or path_parts[0] != user:
        return ""
    if len(path_parts) == 2 and read_only_collection(path_parts[1]):
        return READ_ONLY
    return {1: OWN_HOME, 2: OWN_COLLECTION}.get(len(path_parts), "")


class Rights(rights.BaseRights):
    def authorization(self, user: str, user_groups: set, path: str) -> str:
        if not user:
            return ""
        sane_path = pathutils.strip_path(path)
        if not sane_path:
            return "R"  # the root: principal discovery
        return own_permissions(user, sane_path.split("/"))
