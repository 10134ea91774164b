"""Radicale storage plugin (``[storage] type = dav.radicale_storage``): Radicale 3.9's
multifilesystem storage, unchanged on disk, whose collections answer ``has_uid`` from an index.

Why: a PUT of a new item (and a MOVE into another collection) is refused when an item of the
collection already has its UID (RFC 4791's and RFC 6352's no-uid-conflict). Radicale checks by
reading every item (``get_all``: about 50 µs an item, 145 ms of a PUT into a 3,000-event
calendar). Here each collection keeps the map href → UID of its items in
``.Radicale.cache/uids`` (Radicale never lists ``.Radicale`` names as items), updated under
Radicale's write lock by every upload, delete and move, and written whole when a PUT replaces
the collection (a whole calendar or address book). The index records the folder it describes
(inode and mtime): a file added, removed or renamed by hand, by a Radicale without this plugin
or by a write that failed halfway changes the folder's mtime, and the index is then rebuilt
from the items, as Radicale reads them. Not seen: a file rewritten in place under the same name
with another UID (Radicale itself always writes a new file and renames it), or an outside
change within the same tick of the file system's clock as the index's own write.

Two changes to how files are written, for every writer (Radicale and the worker's
dav/storage_writes.py): each file is made beside its place under a hidden name and renamed,
not in a temporary folder of its own (``Collection._atomic_write``); and a batch of writes can
leave its fsyncs to one sync of the file system at its end (``Storage.synced_once``)."""

import contextlib
import ctypes
import json
import os
import secrets

import radicale.item as radicale_item
from radicale import pathutils
from radicale.storage import multifilesystem

INDEX = os.path.join(".Radicale.cache", "uids")
FORMAT = 1  # raised when the file's layout changes: an older file is rebuilt
_LIBC = ctypes.CDLL(None, use_errno=True)


class Collection(multifilesystem.Collection):
    def __init__(self, storage_, path, filesystem_path=None) -> None:
        super().__init__(storage_, path, filesystem_path)
        self._uids: dict[str, str] | None = None  # href → UID, read once per request
        self._uids_stamp: tuple[int, int] | None = None

    @contextlib.contextmanager
    def _atomic_write(self, path: str, mode: str = "w", newline: str | None = None):
        """Radicale's, but the new file is made beside its target under a hidden name
        (Radicale lists no name starting with a dot), not in a temporary folder of its own:
        removing that folder took 3 ms on ext4, for each of the three files an upload writes
        (the item, its cache, its history), against 0.2 ms for the whole write without it.
        Made with the mode Radicale's files get (0o666 less the umask), then renamed."""
        parent, _name = os.path.split(path)
        temporary = os.path.join(parent, f".Radicale.tmp-{secrets.token_hex(8)}")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        try:
            with open(descriptor, mode, newline=newline,
                      encoding=None if "b" in mode else self._encoding) as file:  # fmt: skip
                yield file
                file.flush()
                self._storage._fsync(file)
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.remove(temporary)
            raise
        self._storage._sync_directory(parent)

    def has_uid(self, uid: str) -> bool:
        return uid in self._uid_index().values()

    def upload(self, href, item):
        uids = self._uid_index()  # current before the change, or rebuilt
        uploaded = super().upload(href, item)
        uids[href] = item.uid
        self._write_index(uids)
        return uploaded

    def delete(self, href=None) -> None:
        if href is None:  # the whole collection: its index goes with its folder
            super().delete()
            return
        uids = self._uid_index()
        super().delete(href)
        uids.pop(href, None)
        self._write_index(uids)

    def _upload_all_nonatomic(self, items, suffix: str = "") -> None:
        """The items of a replaced collection, written into its new folder by Radicale, which
        names each file after its UID (or the UID's hash when that is no safe file name);
        the same names are worked out here, so that the index needs no second reading of the
        items. Storage.create_collection checks them against the folder before using them."""
        names: dict[str, str] | None = {}

        def named(items):
            nonlocal names
            for item in items:
                if names is not None:
                    href = _free_href(item.uid, suffix, names)
                    if href is None:  # Radicale draws a random name: not predictable
                        names = None
                    else:
                        names[href] = item.uid
                yield item

        super()._upload_all_nonatomic(named(items), suffix)
        self._storage._replaced[self.path] = names

    def _get_deleted_history_hrefs(self):
        """Radicale's answer (the sync history's entries whose item is gone), from one listing
        of the collection's folder: Radicale stats an item file for each entry of the history
        (every item ever synced), at every upload and delete (90 ms at 3,000 items)."""
        history = self._storage._get_collection_cache_subfolder(
            self._filesystem_path, ".Radicale.cache", "history")  # fmt: skip
        try:
            with os.scandir(history) as entries:
                names = {entry.name for entry in entries}
        except FileNotFoundError:
            return
        with os.scandir(self._filesystem_path) as entries:
            names.difference_update(entry.name for entry in entries if entry.is_file())
        yield from filter(pathutils.is_safe_filesystem_path_component, names)

    def _stamp(self) -> tuple[int, int]:
        status = os.stat(self._filesystem_path)
        return status.st_ino, status.st_mtime_ns

    def _uid_index(self) -> dict[str, str]:
        stamp = self._stamp()
        if self._uids is not None and self._uids_stamp == stamp:
            return self._uids
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
            with open(os.path.join(self._filesystem_path, INDEX), "rb") as f:
                stored = json.load(f)
            if stored["format"] == FORMAT and tuple(stored["folder"]) == stamp:
                self._uids, self._uids_stamp = stored["uids"], stamp
                return self._uids
        if self._storage._lock.locked == "w":
            # Folders first: creating .Radicale.cache changes the collection's mtime.
            self._storage._makedirs_synced(os.path.dirname(os.path.join(self._filesystem_path,
                                                                        INDEX)))  # fmt: skip
        stamp = self._stamp()  # before reading: a change meanwhile makes the index stale
        uids = {item.href: item.uid for item in self.get_all()}
        self._write_index(uids, stamp)
        return uids

    def _write_index(self, uids: dict[str, str], stamp: tuple[int, int] | None = None) -> None:
        """Only under the write lock (every writing request holds it); not fsynced: a file
        lost or left behind by a crash no longer matches its folder and is rebuilt."""
        if self._storage._lock.locked != "w":
            return
        path = os.path.join(self._filesystem_path, INDEX)
        self._storage._makedirs_synced(os.path.dirname(path))
        stamp = stamp or self._stamp()
        with open(f"{path}.tmp", "w", encoding="utf-8") as f:
            f.write(json.dumps({"format": FORMAT, "folder": stamp, "uids": uids}))
        os.replace(f"{path}.tmp", path)
        self._uids, self._uids_stamp = uids, stamp


def _sync_file_system(folder: str) -> None:
    """syncfs(2) of the file system holding ``folder`` (Linux; elsewhere, every file system)."""
    syncfs = getattr(_LIBC, "syncfs", None)
    if syncfs is None:
        os.sync()
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        if syncfs(fd) != 0:
            error = ctypes.get_errno()
            raise OSError(error, os.strerror(error), folder)
    finally:
        os.close(fd)


def _free_href(uid: str, suffix: str, taken: dict[str, str]) -> str | None:
    """The name Radicale 3.9's ``_upload_all_nonatomic`` gives an item in a new folder."""
    for href in (uid if uid.lower().endswith(suffix.lower()) else uid + suffix,
                 radicale_item.get_etag(uid).strip('"') + suffix):  # fmt: skip
        if pathutils.is_safe_filesystem_path_component(href) and href not in taken:
            return href
    return None


class Storage(multifilesystem.Storage):
    _collection_class = Collection
    _synced_later = False  # inside ``synced_once`` (Radicale's __init__ syncs already)

    def __init__(self, configuration) -> None:
        super().__init__(configuration)
        self._replaced: dict[str, dict[str, str] | None] = {}  # path → names, while replaced

    @contextlib.contextmanager
    def synced_once(self):
        """Under the write lock: the writes made inside put on disk by one sync of the file
        system at the end, instead of Radicale's fsync of every file and folder it writes
        (six for an upload: the item, its cache and its history, each renamed into place;
        about 3 ms a pair here). For a batch of writes (one invitation's copies in 25
        people's calendars, dav/storage_writes.py), reported written only once that sync
        is done; a crash before it loses writes nobody was told of (Radicale still writes
        each file whole and renames it, so none is left half written)."""
        self._synced_later = self._filesystem_fsync
        try:
            yield
        finally:
            if self._synced_later:
                self._synced_later = False
                _sync_file_system(self._filesystem_folder)

    def _fsync(self, f) -> None:
        if not self._synced_later:
            super()._fsync(f)

    def _sync_directory(self, path: str) -> None:
        if not self._synced_later:
            super()._sync_directory(path)

    def create_collection(self, href, items=None, props=None):
        try:
            created = super().create_collection(href, items, props)
            collection = created[0]
            names = self._replaced.get(collection.path)
            if names is not None and set(collection._list()) == names.keys():
                collection._write_index(names)
            return created
        finally:
            self._replaced.pop(pathutils.strip_path(href), None)

    def move(self, item, to_collection, to_href) -> None:
        source = item.collection
        same = source._filesystem_path == to_collection._filesystem_path
        source_uids = source._uid_index()
        target_uids = source_uids if same else to_collection._uid_index()
        super().move(item, to_collection, to_href)
        source_uids.pop(item.href, None)
        target_uids[to_href] = item.uid
        if not same:
            source._write_index(source_uids)
        to_collection._write_index(target_uids)
