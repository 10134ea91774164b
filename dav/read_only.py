"""Read-only collections (a subscribed public .ics; the school calendar; the address book of
one's établissement's staff, contacts/staff.py; the filtered copy of a calendar shared at
«lecture», calendar_app/mirror.py): people and their phones read them, only the web app,
which refreshes them from their source, writes them.

The mark is the collection's name (``abonnement--…``, ``lecture--…``: Django's slugify never
writes two hyphens in a row, so no calendar a person names can take it;
``etablissement-<uai>``, which the address book pages never create), so the rights plugin
decides without reading the store. The writer is told apart by the group the auth plugin
gives the master login (only the web app, straight on loopback, holds it)."""

PREFIX = "abonnement--"
MIRROR_PREFIX = "lecture--"
BUSY_PREFIX = "disponibilites--"  # the copy read at «disponibilités seulement»
# The school calendar of the person's zone (calendar_app.school_copy), for their phones; a
# second double hyphen, so that no subscription's name (PREFIX + a slug) can be the same.
SCHOOL_CALENDAR = PREFIX + "calendrier--scolaire"
STAFF_BOOK_PREFIX = "etablissement-"
# A calendar shared with the person, as listed in their home (dav/radicale_sharing.py): a
# name they cannot give a collection of their own.
SHARED_PREFIX = "partage--"
WRITER_GROUP = "convergence-web"


def is_read_only(collection: str) -> bool:
    return collection.startswith((PREFIX, STAFF_BOOK_PREFIX, MIRROR_PREFIX, BUSY_PREFIX))


def is_mirror(collection: str) -> bool:
    """A filtered copy of a shared calendar: not a calendar of its owner's own."""
    return collection.startswith((MIRROR_PREFIX, BUSY_PREFIX))


def is_derived_copy(collection: str) -> bool:
    """A copy the web app writes from elsewhere (a shared calendar's filtered copy, the
    school calendar): nothing there to index, count, remind or send, and not one of its
    owner's own calendars. ``collection`` may go on with ``/item``."""
    name = collection.split("/")[0]
    return is_mirror(name) or name == SCHOOL_CALENDAR


def mirror_of(collection: str, *, busy: bool = False) -> str:
    """The copy read at «lecture», or with ``busy`` at «disponibilités seulement»."""
    return (BUSY_PREFIX if busy else MIRROR_PREFIX) + collection


def source_of(copy: str) -> str:
    """The calendar a filtered copy is made from."""
    return copy.removeprefix(MIRROR_PREFIX).removeprefix(BUSY_PREFIX)


def restrict(permissions: str, path_parts: list[str], user_groups: set) -> str:
    """``permissions`` without writing, on a read-only collection and what it holds, unless
    the request is the web app's; nothing at all on a copy for readers, for its owner."""
    if len(path_parts) >= 2 and is_read_only(path_parts[1]) and WRITER_GROUP not in user_groups:
        if is_mirror(path_parts[1]):
            return ""
        return permissions.replace("w", "").replace("W", "")
    return permissions
