"""What a reader may see of someone else's event: THE rule, in one place.

Every path that shows a person's event to anyone but its owner calls ``shown_to`` (or
``occurrence_for``, which applies it to an occurrence): free/busy, search, reminders, the
shared calendars in the web agenda (calendar_app.sharing) and their filtered copy on CalDAV
(calendar_app.mirror). A private event (CLASS:PRIVATE or CONFIDENTIAL) is «Occupé» with its
time only: no title, place, description or attendees. A reader with «lecture» on the
calendar (calendar_app.share_access) sees the other events whole; with «disponibilités
seulement» or nothing, the time of any event, never its details; with «modification» (a
secretary, a delegate) everything, private events included, as by CalDAV where they write.
"""

import dataclasses
from dataclasses import dataclass

from django.utils.translation import pgettext

from calendar_app import share_access
from calendar_app.ical import PRIVATE_CLASSES
from calendar_app.sharing_models import Level

# The fields of an occurrence that only a reader with the right to see details gets.
_DETAILS = ("location", "description", "attendees", "organizer", "category", "comment")


@dataclass(frozen=True)
class Details:
    title: str
    location: str = ""
    description: str = ""
    attendees: tuple[str, ...] = ()


def is_private(classification: str | None) -> bool:
    return str(classification or "PUBLIC").upper() in PRIVATE_CLASSES


def busy_label() -> str:
    return pgettext("free/busy", "Busy")


def may_read(reader, owner, collection: str = "") -> bool:
    """Whether ``reader`` may read ``owner``'s events of ``collection`` beyond their times."""
    if reader is None or owner is None:
        return False
    return reader.pk == owner.pk or share_access.level(reader, owner, collection) in (
        Level.READ, Level.WRITE)  # fmt: skip


def shown_to(reader, owner, *, private: bool, details: Details, collection: str = "",
             level: str | None = None) -> Details | None:  # fmt: skip
    """What ``reader`` sees of ``owner``'s event in ``collection``: all of it, or None (the
    time only: callers show «Occupé»). ``level``: the reader's, when the caller knows it."""
    if reader is not None and owner is not None and reader.pk == owner.pk:
        return details
    if level is None:
        level = share_access.level(reader, owner, collection) if collection else ""
    if level == Level.WRITE:
        return details
    if private or level != Level.READ:
        return None
    return details


def occurrence_for(reader, owner, occurrence, *, level: str | None = None):
    """An ``ical.Occurrence`` as ``reader`` may see it (a copy when anything is hidden)."""
    seen = shown_to(reader, owner, private=occurrence.private,
                    details=Details(occurrence.title, occurrence.location,
                                    occurrence.description),
                    collection=occurrence.calendar, level=level)  # fmt: skip
    if seen is not None:
        return occurrence
    names = {f.name for f in dataclasses.fields(occurrence)}
    hidden = {name: type(getattr(occurrence, name))() for name in _DETAILS if name in names}
    return dataclasses.replace(occurrence, title=busy_label(), reminders=[], **hidden)
