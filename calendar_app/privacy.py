"""What a reader may see of someone else's event: THE rule, in one place.

Every path that shows a person's event to anyone but its owner calls ``shown_to`` (or
``occurrence_for``, which applies it to an occurrence): free/busy, search, reminders, and,
when they land, sharing, the CalDAV data of shared calendars and iMIP. A private event
(CLASS:PRIVATE or CONFIDENTIAL) is «Occupé» with its time only: no title, place,
description or attendees. Without read access (sharing is not built yet: only the owner has
it), a reader sees the time of any event, never its details.
"""

import dataclasses
from dataclasses import dataclass

from django.utils.translation import pgettext

PRIVATE_CLASSES = ("PRIVATE", "CONFIDENTIAL")
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


def may_read(reader, owner) -> bool:
    """Whether ``reader`` may read ``owner``'s events beyond their times. Sharing («lecture»,
    «modification») will extend this; «disponibilités seulement» will not."""
    return reader is not None and owner is not None and reader.pk == owner.pk


def shown_to(reader, owner, *, private: bool, details: Details) -> Details | None:
    """What ``reader`` sees of ``owner``'s event: all of it, or None (the time only: callers
    show «Occupé»)."""
    if reader is not None and owner is not None and reader.pk == owner.pk:
        return details
    if private or not may_read(reader, owner):
        return None
    return details


def occurrence_for(reader, owner, occurrence):
    """An ``ical.Occurrence`` as ``reader`` may see it (a copy when anything is hidden)."""
    seen = shown_to(reader, owner, private=occurrence.private,
                    details=Details(occurrence.title, occurrence.location,
                                    occurrence.description))  # fmt: skip
    if seen is not None:
        return occurrence
    names = {f.name for f in dataclasses.fields(occurrence)}
    hidden = {name: type(getattr(occurrence, name))() for name in _DETAILS if name in names}
    return dataclasses.replace(occurrence, title=busy_label(), reminders=[], **hidden)
