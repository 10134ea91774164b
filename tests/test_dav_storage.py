"""dav/radicale_storage.py in the test Radicale: a UID already in a collection is refused exactly
as Radicale refuses it (409, no-uid-conflict), whether the collection was written by PUT,
DELETE, MOVE, a whole-collection PUT or by hand; and every write through Radicale leaves the
UID index current (the next PUT reads no item)."""

import base64
import http.client
import json
import os
from pathlib import Path

import pytest
from django.conf import settings

from dav.credentials import master_login
from dav.radicale_storage import FORMAT, INDEX
from tests.agenda_helpers import empty_store  # noqa: F401 - fixture

pytestmark = pytest.mark.usefixtures("empty_store")
LOGIN = "prof.demo"
MKCALENDAR = ('<?xml version="1.0" encoding="utf-8"?><C:mkcalendar xmlns:D="DAV:" '
              'xmlns:C="urn:ietf:params:xml:ns:caldav"/>')  # fmt: skip


def _dav(method: str, path: str, body: str = "", **headers: str) -> tuple[int, str]:
    token = base64.b64encode(f"{master_login(LOGIN)}:{settings.CALDAV_MASTER_SECRET}".encode())
    connection = http.client.HTTPConnection(settings.RADICALE_HOST, settings.RADICALE_PORT,
                                            timeout=30)  # fmt: skip
    connection.request(method, f"/{LOGIN}/{path}", body=body.encode(), headers={
        "Authorization": f"Basic {token.decode()}", **headers})  # fmt: skip
    response = connection.getresponse()
    text = response.read().decode()
    connection.close()
    return response.status, text


def _event(uid: str, summary: str = "Conseil de classe") -> str:
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//FR\r\n" + _vevent(uid, summary)
            + "END:VCALENDAR\r\n")  # fmt: skip


def _vevent(uid: str, summary: str = "Conseil de classe") -> str:
    return (f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20260901T080000Z\r\nSUMMARY:{summary}\r\n"
            "DTSTART:20260914T080000Z\r\nDTEND:20260914T090000Z\r\nEND:VEVENT\r\n")  # fmt: skip


def _put(path: str, text: str, **headers: str) -> int:
    kind = "text/vcard" if path.endswith(".vcf") else "text/calendar"
    return _dav("PUT", path, text, **{"Content-Type": f"{kind}; charset=utf-8", **headers})[0]


def _calendar(name: str) -> Path:
    assert _dav("MKCALENDAR", f"{name}/", MKCALENDAR)[0] == 201
    return _folder(name)


def _folder(name: str) -> Path:
    return Path(settings.RADICALE_DIR) / "collections" / "collection-root" / LOGIN / name


def _uids_on_disk(folder: Path) -> dict[str, str]:
    """href → UID read from the files themselves."""
    uids = {}
    for path in folder.iterdir():
        if path.is_file() and not path.name.startswith("."):
            line = next(x for x in path.read_text().splitlines() if x.startswith("UID:"))
            uids[path.name] = line.removeprefix("UID:")
    return uids


def _current_index(folder: Path) -> dict[str, str] | None:
    """The index as the plugin would use it without reading any item: None if missing or
    not written for the folder as it is now."""
    try:
        stored = json.loads((folder / INDEX).read_text())
    except FileNotFoundError:
        return None
    status = os.stat(folder)
    current = stored["format"] == FORMAT and stored["folder"] == [status.st_ino,
                                                                  status.st_mtime_ns]  # fmt: skip
    return stored["uids"] if current else None


def _clock_past(folder: Path) -> None:
    """Waits until the file system's clock has moved past the folder's last change, as a
    person's edit would be: the index cannot tell two changes within one tick apart. (The
    probe, in the same file system, does not change the collection's own folder.)"""
    probe = folder / ".Radicale.cache" / "probe"
    probe.write_text("")
    while probe.stat().st_mtime_ns <= folder.stat().st_mtime_ns:
        probe.write_text("")
    probe.unlink()


def test_a_uid_already_in_the_calendar_is_refused_under_another_name(prof):
    folder = _calendar("cours")
    assert _put("cours/a.ics", _event("uid-1")) == 201
    status, body = _dav("PUT", "cours/b.ics", _event("uid-1"),
                        **{"Content-Type": "text/calendar"})  # fmt: skip
    assert status == 409 and "no-uid-conflict" in body
    assert _put("cours/b.ics", _event("uid-2")) == 201
    assert _put("cours/a.ics", _event("uid-1", "Conseil (salle 12)")) == 204  # its own UID
    assert _put("cours/a.ics", _event("uid-3")) == 409  # a resource keeps its UID
    assert _current_index(folder) == _uids_on_disk(folder) == {"a.ics": "uid-1",
                                                               "b.ics": "uid-2"}  # fmt: skip


def test_a_deleted_event_frees_its_uid(prof):
    folder = _calendar("cours")
    assert _put("cours/a.ics", _event("uid-1")) == 201
    assert _dav("DELETE", "cours/a.ics")[0] == 200
    assert _current_index(folder) == {}
    assert _put("cours/b.ics", _event("uid-1")) == 201
    assert _current_index(folder) == {"b.ics": "uid-1"}


def test_files_added_or_removed_by_hand_are_seen(prof):
    folder = _calendar("cours")
    assert _put("cours/a.ics", _event("uid-1")) == 201
    _clock_past(folder)
    (folder / "c.ics").write_text(_event("uid-hand"))
    assert _current_index(folder) is None  # written for the folder before the new file
    assert _put("cours/d.ics", _event("uid-hand")) == 409
    assert _current_index(folder) == {"a.ics": "uid-1", "c.ics": "uid-hand"}  # rebuilt
    _clock_past(folder)
    (folder / "a.ics").unlink()
    assert _put("cours/e.ics", _event("uid-1")) == 201
    assert _current_index(folder) == _uids_on_disk(folder) == {"c.ics": "uid-hand",
                                                               "e.ics": "uid-1"}  # fmt: skip


def test_a_broken_or_missing_index_is_rebuilt(prof):
    folder = _calendar("cours")
    assert _put("cours/a.ics", _event("uid-1")) == 201
    (folder / INDEX).write_bytes(b"pas un index")
    assert _put("cours/b.ics", _event("uid-1")) == 409
    (folder / INDEX).unlink()
    assert _put("cours/b.ics", _event("uid-1")) == 409
    assert _put("cours/b.ics", _event("uid-2")) == 201
    assert _current_index(folder) == {"a.ics": "uid-1", "b.ics": "uid-2"}


def test_a_move_takes_the_uid_along(prof, live_server):
    cours, reunions = _calendar("cours"), _calendar("reunions")
    assert _put("cours/a.ics", _event("uid-1")) == 201
    assert _put("reunions/b.ics", _event("uid-2")) == 201
    base = f"http://{settings.RADICALE_HOST}:{settings.RADICALE_PORT}/{LOGIN}"
    assert _dav("MOVE", "cours/a.ics", Destination=f"{base}/reunions/a.ics")[0] == 201
    assert _current_index(cours) == {}
    assert _current_index(reunions) == {"a.ics": "uid-1", "b.ics": "uid-2"}
    assert _put("reunions/c.ics", _event("uid-1")) == 409
    assert _put("cours/c.ics", _event("uid-1")) == 201
    status, body = _dav("MOVE", "cours/c.ics", Destination=f"{base}/reunions/d.ics")
    assert status == 409 and "no-uid-conflict" in body
    # Renamed within the calendar: the same UID under its new name.
    assert _dav("MOVE", "reunions/b.ics", Destination=f"{base}/reunions/e.ics")[0] == 201
    assert _current_index(reunions) == _uids_on_disk(reunions) == {"a.ics": "uid-1",
                                                                   "e.ics": "uid-2"}  # fmt: skip


def test_a_calendar_replaced_whole_is_indexed_as_written(prof):
    folder = _calendar("cours")
    assert _put("cours/old.ics", _event("uid-old")) == 201
    # A UID that is no safe file name: Radicale names that file after the UID's hash.
    uids = ["uid-1", "uid-2", "dossier/uid-3"]
    whole = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//FR\r\n"
             + "".join(_vevent(uid) for uid in uids) + "END:VCALENDAR\r\n")  # fmt: skip
    assert _put("cours/", whole) == 201
    index = _current_index(folder)
    assert index == _uids_on_disk(folder)
    assert sorted(index.values()) == sorted(uids)
    assert _put("cours/x.ics", _event("uid-2")) == 409
    assert _put("cours/x.ics", _event("dossier/uid-3")) == 409
    assert _put("cours/x.ics", _event("uid-old")) == 201  # gone with the old calendar


def test_an_address_book_replaced_whole_is_indexed_as_written(prof):
    from contacts.services import CONTACTS, ensure_books

    ensure_books(prof)
    folder = _folder(CONTACTS)

    def card(uid: str) -> str:
        return f"BEGIN:VCARD\r\nVERSION:3.0\r\nUID:{uid}\r\nFN:Camille {uid}\r\nEND:VCARD\r\n"

    assert _put(f"{CONTACTS}/old.vcf", card("old")) == 201
    assert _put(f"{CONTACTS}/", card("c-1") + card("c-2"),
                **{"Content-Type": "text/vcard"}) == 201  # fmt: skip
    assert _current_index(folder) == _uids_on_disk(folder) == {"c-1.vcf": "c-1",
                                                               "c-2.vcf": "c-2"}  # fmt: skip
    assert _put(f"{CONTACTS}/x.vcf", card("c-2")) == 409
    assert _put(f"{CONTACTS}/x.vcf", card("old")) == 201


def test_the_sync_history_of_deleted_items_is_radicale_s(tmp_path):
    """The plugin lists the folder once where Radicale stats a file per history entry: the
    same entries (those of deleted items) are kept, then cleaned, and reported deleted."""
    from radicale import config, storage
    from radicale import item as radicale_item
    from radicale.storage import multifilesystem

    configuration = config.load()
    configuration.update({"storage": {"type": "dav.radicale_storage",
                                       "filesystem_folder": str(tmp_path)}}, "test")  # fmt: skip
    store = storage.load(configuration)
    with store.acquire_lock("w"):
        store.create_collection("/u/")
        calendar = store.create_collection("/u/cal/", props={"tag": "VCALENDAR"})[0]
        for n in range(6):
            item = radicale_item.Item(collection_path="u/cal",
                                      vobject_item=radicale_item.read_components(
                                          _event(f"uid-{n}"))[0])  # fmt: skip
            item.prepare()
            calendar.upload(f"{n}.ics", item)
        token, _ = calendar.sync()
        calendar.delete("1.ics")
        calendar.delete("3.ics")
        (Path(calendar._filesystem_path) / "5.ics").unlink()  # by hand
        (Path(calendar._filesystem_path) / "4.ics").unlink()
        (Path(calendar._filesystem_path) / "4.ics").mkdir()  # no longer an item
        deleted = set(calendar._get_deleted_history_hrefs())
        assert deleted == set(multifilesystem.Collection._get_deleted_history_hrefs(calendar))
        assert deleted == {"1.ics", "3.ics", "4.ics", "5.ics"}
        assert set(calendar.sync(token)[1]) == deleted


def test_files_are_written_beside_their_place_and_renamed_leaving_nothing(tmp_path, monkeypatch):
    """Radicale makes and removes a temporary folder for each file it writes (3 ms on ext4,
    three files an upload); the plugin writes a hidden file beside the target and renames
    it: the same result, Radicale's mode, and nothing left, even when the write fails."""
    import tempfile

    from radicale import config, storage
    from radicale import item as radicale_item

    monkeypatch.setattr(tempfile, "TemporaryDirectory", None)  # Radicale's way: not taken
    configuration = config.load()
    configuration.update({"storage": {"type": "dav.radicale_storage",
                                       "filesystem_folder": str(tmp_path)}}, "test")  # fmt: skip
    store = storage.load(configuration)

    def item(uid: str):
        found = radicale_item.Item(collection_path="u/cal",
                                   vobject_item=radicale_item.read_components(_event(uid))[0])
        found.prepare()
        return found

    with store.acquire_lock("w"):
        store.create_collection("/u/")
        calendar = store.create_collection("/u/cal/", props={"tag": "VCALENDAR"})[0]
        calendar.upload("a.ics", item("uid-a"))
        calendar.upload("a.ics", item("uid-a"))  # replaced
        folder = Path(calendar._filesystem_path)
        assert (folder / "a.ics").read_bytes().decode() == item("uid-a").serialize()
        assert oct((folder / "a.ics").stat().st_mode & 0o777) == oct(0o666 & ~_umask())
        with pytest.raises(OSError), calendar._atomic_write(str(folder / "b.ics")) as file:
            file.write("half")
            raise OSError("disk full")
        assert not (folder / "b.ics").exists()
    left = list(tmp_path.rglob(".Radicale.tmp-*"))
    assert left == [] and [i.href for i in calendar.get_all()] == ["a.ics"]


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
