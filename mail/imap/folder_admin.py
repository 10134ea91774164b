"""Folder management: the tree with special uses and counts, create, rename, delete,
subscribe, and the quota."""

import contextlib
import re
import time

from imapclient.imap_utf7 import decode as decode_utf7
from imapclient.response_parser import parse_response

from mail.imap.types import (
    SPECIAL_USES,
    Folder,
    InvalidRequest,
    check_folder,
)

_QUOTA_SECONDS = 60
# Dovecot sends a name without spaces as a bare atom, which may hold "[" (another client
# named a folder "[x"): imapclient's parser then fails on every page. Such names are quoted
# before parsing; atoms hold no quote or backslash, so nothing needs escaping.
_BARE_LIST_NAME = re.compile(rb'^(\(.*?\) (?:"[^"]*"|NIL) )([^"{\s]\S*)()$')
_BARE_STATUS_NAME = re.compile(rb'^()([^"{(\s]\S*)( \(.*\))$')


# The lines of a LIST-STATUS answer as Dovecot writes them for names without literals, read
# by two regular expressions: imapclient's general parser cost some 550 Python calls a folder
# on every mail page (bench/where_the_time_goes.md, third pass). A quoted name holds no
# backslash but before a quote or a backslash; a bare one no IMAP special.
_NAME = rb'(?:"((?:[^"\\\r\n]|\\["\\])*)"|([^"{}()\s\\%*]+))'
_LIST_LINE = re.compile(rb'\(((?:\\?[A-Za-z$][\w$-]* ?)*)\) (?:"([^"\\])"|NIL) ' + _NAME)
_STATUS_LINE = re.compile(_NAME + rb" \(((?:[A-Z]+ (?:0|[1-9][0-9]*) ?)*)\)")
_UNESCAPE = re.compile(rb'\\(["\\])')


def _name(quoted: bytes | None, bare: bytes | None) -> str:
    if quoted is None:
        return decode_utf7(bare)
    return decode_utf7(_UNESCAPE.sub(rb"\1", quoted) if b"\\" in quoted else quoted)


def read_list_status(listed: list, statuses: list) -> tuple[list, dict] | None:
    """(flags, delimiter, name) of each folder and each one's STATUS values, as imapclient's
    parser reads them; None when a line has another shape (a literal, an unusual token)."""
    folders, counts = [], {}
    for line in listed:
        match = _LIST_LINE.fullmatch(line) if isinstance(line, bytes) else None
        if match is None:
            return None
        flags, delimiter, quoted, bare = match.groups()
        folders.append((tuple(flags.split()), delimiter, _name(quoted, bare)))
    for line in statuses:
        match = _STATUS_LINE.fullmatch(line) if isinstance(line, bytes) else None
        if match is None:
            return None
        quoted, bare, values = match.groups()
        words = values.split()
        counts[_name(quoted, bare)] = {
            key: int(value) for key, value in zip(words[::2], words[1::2], strict=True)
        }
    return folders, counts


def _quote_bare_name(line, pattern: re.Pattern):
    if not isinstance(line, bytes):
        return line
    return pattern.sub(lambda m: m[1] + b'"' + m[2] + b'"' + m[3], line)


class FoldersMixin:
    def folders(self, *, refresh: bool = False) -> list[Folder]:
        """Every folder with its special use and counts; the tree order is the caller's."""
        if self._folders is not None and not refresh:
            return self._folders
        listed, counts = self._list_with_status()
        result = []
        for flags, delimiter, name in listed:
            selectable = b"\\Noselect" not in flags and b"\\NonExistent" not in flags
            special = next((SPECIAL_USES[f] for f in flags if f in SPECIAL_USES), None)
            if name.upper() == "INBOX":
                special = "inbox"
            status = counts.get(name, {})
            result.append(
                Folder(
                    name=name,
                    delimiter=(delimiter or b"/").decode(),
                    special_use=special,
                    subscribed=b"\\Subscribed" in flags,
                    total=status.get(b"MESSAGES", 0),
                    unread=status.get(b"UNSEEN", 0),
                    selectable=selectable,
                    uidvalidity=status.get(b"UIDVALIDITY", 0),
                    uidnext=status.get(b"UIDNEXT", 0),
                    highestmodseq=status.get(b"HIGHESTMODSEQ", 0),
                )
            )
        self._folders = result
        return result

    def _list_with_status(self) -> tuple[list, dict[str, dict[bytes, int]]]:
        """Folders, subscriptions, counts and states in one round trip (RFC 5819 LIST-STATUS,
        RFC 5258 RETURN options), which imapclient has no method for. The states (UIDVALIDITY,
        UIDNEXT, HIGHESTMODSEQ) key the list's and the search's caches."""
        imap = self._client._imap
        imap.untagged_responses.pop("STATUS", None)
        listed = self._client._raw_command_untagged(
            b"LIST",
            [
                b'""',
                b'"*"',
                b"RETURN (SUBSCRIBED SPECIAL-USE STATUS "
                b"(MESSAGES UNSEEN UIDVALIDITY UIDNEXT HIGHESTMODSEQ))",
            ],
            uid=False,
        )
        statuses = imap.untagged_responses.pop("STATUS", [])
        return read_list_status(listed, statuses) or self._parsed_list_status(listed, statuses)

    def _parsed_list_status(self, listed: list, statuses: list):
        """The same through imapclient's parser: literals and whatever else it understands."""
        listed = [_quote_bare_name(line, _BARE_LIST_NAME) for line in listed]
        counts = {}
        for line in statuses:
            name, values = parse_response([_quote_bare_name(line, _BARE_STATUS_NAME)])
            pairs = dict(zip(values[::2], values[1::2], strict=True))
            if isinstance(name, bytes):
                name = decode_utf7(name)
            counts[str(name)] = pairs
        return self._client._proc_folder_list(listed), counts

    def special_folder(self, use: str) -> str | None:
        return next((f.name for f in self.folders() if f.special_use == use), None)

    def create_folder(self, name: str) -> None:
        self._client.create_folder(check_folder(name))
        self._client.subscribe_folder(name)
        self._folders = None

    def rename_folder(self, old: str, new: str) -> None:
        self._guard_special(old)
        if self._selected == old:
            self._client.unselect_folder()
            self._selected = None
        self._client.rename_folder(check_folder(old), check_folder(new))
        self._folders = None

    def delete_folder(self, name: str) -> None:
        """Its messages go to the Trash first, so a wrong click loses nothing."""
        self._guard_special(name)
        trash = self.special_folder("trash")
        self._select(name)
        uids = self._client.search("ALL")
        if uids and trash:
            self._client.move(uids, trash)
        self._client.unselect_folder()
        self._selected = None
        self._client.delete_folder(name)
        self._folders = None

    def subscribe(self, name: str, on: bool) -> None:
        if on:
            self._client.subscribe_folder(check_folder(name))
        else:
            self._client.unsubscribe_folder(check_folder(name))
        self._folders = None

    def _guard_special(self, name: str) -> None:
        folder = next((f for f in self.folders() if f.name == check_folder(name)), None)
        if folder is None:
            raise InvalidRequest(f"no folder {name!r}")
        if folder.special_use:
            raise InvalidRequest(f"{name!r} is a special folder")

    def quota(self) -> tuple[int, int] | None:
        """(used, limit) in KiB for the INBOX's quota root, or None without a quota; asked
        again at most every minute, since it only moves slowly."""
        if self._quota_at and time.monotonic() - self._quota_at < _QUOTA_SECONDS:
            return self._quota
        self._quota = None
        with contextlib.suppress(InvalidRequest):
            for quota in self._client.get_quota("INBOX"):
                if quota.resource.upper() == "STORAGE":
                    self._quota = (quota.usage, quota.limit)
        self._quota_at = time.monotonic()
        return self._quota
