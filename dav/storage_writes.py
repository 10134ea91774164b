"""Calendar objects written by the worker straight into Radicale's storage, without HTTP, when
it shares Radicale's folder (RADICALE_COLLECTIONS: Radicale's ``filesystem_folder``).

Why: a copy of an invitation naming 200 people costs Radicale's PUT handler a vobject parse
and a second serialization for its ETag, 57 % of the request (docs/benchmarks.md, «The
invitation: what bounds it»), and Radicale writes one item at a time. Here the worker writes
the same file through the same storage plugin (dav/radicale_storage.py: the UID index follows),
under Radicale's own lock file, the text read once for all the attendees of a batch. What
Radicale's PUT and its hook would also do is done here, under that lock: the preconditions
(If-Match, If-None-Match), the UID conflict (RFC 4791 §5.3.2.1) and the change count
(dav/changes.py). The hook's task is not queued: the writer indexes its copy itself, and
queues that task only when it could not (calendar_app.inbox). A batch of copies (one
invitation's, in 25 people's calendars: calendar_app.new_invitations) is written under one
taking of the lock and flushed to disk once (``replace_all``), and the people's calendars are
listed from the storage there (``calendars``) when their cached lists have lapsed."""

import contextlib
import functools
import logging
import os
import re
from typing import NamedTuple

import radicale.item as radicale_item
from django.conf import settings
from django.db import transaction
from radicale import config as radicale_config
from radicale import pathutils
from radicale import storage as radicale_storage

from dav import changes
from dav.client import Collection, DavConflict, DavNotFound, DavRefused, DavUnavailable

logger = logging.getLogger(__name__)


def enabled() -> bool:
    """RADICALE_COLLECTIONS is set and Radicale has started there (it makes collection-root):
    a wrong folder would take writes that Radicale never serves."""
    folder = settings.RADICALE_COLLECTIONS
    if folder and not os.path.isdir(os.path.join(folder, "collection-root")):
        _not_radicales(folder)
        return False
    return bool(folder)


@functools.cache
def _not_radicales(folder: str) -> None:
    logger.warning("RADICALE_COLLECTIONS=%s: not Radicale's folder, writing over HTTP", folder)


@functools.cache
def _configuration(folder: str):
    """Radicale's defaults, as docker-compose and devstack/radicale.py leave them, but the
    storage's type and folder."""
    configuration = radicale_config.load()
    configuration.update({"storage": {"type": "dav.radicale_storage",
                                      "filesystem_folder": folder}}, "convergence")  # fmt: skip
    return configuration


@functools.cache
def _storage(folder: str):
    return radicale_storage.load(_configuration(folder))


# An ATTENDEE line of a calendar object, with its folded continuations. What Radicale reads of
# an object for its storage (UID, main component, time range) does not depend on them, and
# they alone differ between the attendees' copies of one invitation (each one's own
# PARTSTAT): it is read once per invitation, not once per copy.
ATTENDEE_LINES = re.compile(r"^ATTENDEE[;:][^\r\n]*(?:\r?\n[ \t][^\r\n]*)*\r?\n", re.MULTILINE)


@functools.lru_cache(maxsize=8)
def _item_fields(text: str) -> tuple[str, str, tuple[int, int]]:
    """(UID, main component, time range) of a calendar object (its ATTENDEE lines left out),
    read and checked as Radicale checks a PUT."""
    try:
        components = radicale_item.read_components(text)
        occurrences = _configuration(settings.RADICALE_COLLECTIONS).get(
            "server", "max_vevent_rrule_occurrence")  # fmt: skip
        radicale_item.check_and_sanitize_items(components, occurrences, tag="VCALENDAR")
        (component,) = components
        name = radicale_item.find_tag(component)
        return (radicale_item.get_uid_from_object(component), name,
                radicale_item.find_time_range(component, name))  # fmt: skip
    except (ValueError, RuntimeError) as exc:
        raise DavRefused(f"not a calendar object Radicale accepts: {exc}") from exc


def put(owner: str, collection: str, href: str, text: str, *, etag: str | None,
        replace: bool = False) -> str:  # fmt: skip
    """As ``DavSession.put`` (``etag``: the version replaced; None: a creation) or, with
    ``replace``, ``DavSession.replace``; returns the new ETag."""
    storage = _storage(str(settings.RADICALE_COLLECTIONS))
    with _refused_by_disk(), storage.acquire_lock("w", owner):
        new_etag = _upload(storage, Write(owner, collection, href, text), etag, replace)
        # Counted before the lock is let go, as the hook counts: a reader that sees the
        # copy sees the count that says so.
        with transaction.atomic():
            changes.bump(owner, collection)
    return new_etag


def calendars(owner: str) -> list[Collection]:
    """The person's calendar collections, read from the storage as Radicale would list them
    (``DavSession.calendars`` without the PROPFIND: a batch of an invitation's attendees whose
    cached lists have lapsed, services.calendar_names_of)."""
    storage = _storage(str(settings.RADICALE_COLLECTIONS))
    with _refused_by_disk(), storage.acquire_lock("r", owner):
        return [_listed(found) for found in storage.discover(f"/{owner}/", depth="1")
                if isinstance(found, radicale_storage.BaseCollection)
                and found.path.count("/") == 1 and found.tag == "VCALENDAR"]  # fmt: skip


def _listed(collection) -> Collection:
    name = collection.path.rsplit("/", 1)[-1]
    return Collection(name=name, display_name=collection.get_meta("D:displayname") or name,
                      color=(collection.get_meta("ICAL:calendar-color") or "")[:7])  # fmt: skip


class Write(NamedTuple):
    owner: str
    collection: str
    href: str
    text: str


def replace_all(writes: list[Write]) -> list[str | None]:
    """``put`` with ``replace`` of each write, under one taking of the lock and their counts
    raised in one transaction (one invitation's copies in a batch of people's calendars);
    each one's new ETag, or None where it could not be written (the caller goes one by one
    there, and meets the reason)."""
    storage = _storage(str(settings.RADICALE_COLLECTIONS))
    etags: list[str | None] = []
    with _refused_by_disk(), storage.acquire_lock("w"):
        try:
            with storage.synced_once():  # one flush to disk for the batch
                for write in writes:
                    try:
                        with _refused_by_disk():
                            etags.append(_upload(storage, write, None, True))
                    except (DavRefused, DavNotFound, DavUnavailable) as exc:
                        logger.info("Radicale's storage, %s: %s", write.owner,
                                    exc.__class__.__name__)  # fmt: skip
                        etags.append(None)
        finally:
            with transaction.atomic():
                # Those written before an error too (zip stops at the last one tried).
                changes.bump_each([(w.owner, w.collection) for w, etag in zip(
                    writes, etags, strict=False) if etag is not None])  # fmt: skip
    return etags


@contextlib.contextmanager
def _refused_by_disk():
    """The disk refused (full, permissions, a lock that cannot be taken), which Radicale
    answers with a 5xx: the caller retries, as when the store does not answer."""
    try:
        yield
    except (OSError, ValueError) as exc:
        logger.warning("Radicale's storage: %s", exc.__class__.__name__)
        raise DavUnavailable(str(exc)) from exc


def _upload(storage, write: Write, etag: str | None, replace: bool) -> str:
    if not pathutils.is_safe_filesystem_path_component(write.href):
        raise DavRefused(f"not a file name: {write.href}")
    uid, component_name, time_range = _item_fields(ATTENDEE_LINES.sub("", write.text))
    path = f"/{write.owner}/{write.collection}/"
    folder = next(iter(storage.discover(path)), None)
    if not isinstance(folder, radicale_storage.BaseCollection) or not folder.tag:
        raise DavNotFound(path)
    current = next((item for _href, item in folder.get_multi([write.href]) if item), None)
    if not replace and (etag or "") != (current.etag if current else ""):
        raise DavConflict(write.href)
    if current is None and folder.has_uid(uid) or current and current.uid != uid:
        raise DavRefused(f"409 no-uid-conflict {write.href}")
    uploaded, _replaced = folder.upload(write.href, radicale_item.Item(
        collection_path=folder.path, text=write.text, uid=uid, name="VCALENDAR",
        component_name=component_name, time_range=time_range))  # fmt: skip
    return uploaded.etag
