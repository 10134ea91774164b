"""Changes to messages the pages ask for: append (drafts, Sent), flags, moves, deletion,
emptying a folder."""

import imapclient

from mail.imap.structure import copied_uids
from mail.imap.types import (
    InvalidRequest,
    check_folder,
    check_uids,
)

# $MDNSent (RFC 3503): a read receipt was sent, or the reader chose not to send one.
_FLAGS = {"seen": imapclient.SEEN, "flagged": imapclient.FLAGGED, "mdnsent": b"$MDNSent"}


class ChangesMixin:
    def append(self, folder: str, raw: bytes, *, seen: bool = True, draft: bool = False) -> int:
        """Store a message (a sent copy, a draft); returns its UID (UIDPLUS, RFC 4315)."""
        flags = [imapclient.SEEN] if seen else []
        if draft:
            flags.append(imapclient.DRAFT)
        answer = self._client.append(check_folder(folder), raw, flags=flags)
        self._folders = None
        # "[APPENDUID <uidvalidity> <uid>] Append completed."
        text = answer.decode() if isinstance(answer, bytes) else str(answer)
        if "APPENDUID" in text:
            return int(text.split("APPENDUID", 1)[1].split("]", 1)[0].split()[1])
        return 0

    def remove(self, folder: str, uids) -> None:
        """Expunge for good (a replaced draft), without going through the Trash."""
        self._select(folder)
        uids = check_uids(uids)
        self._client.add_flags(uids, [imapclient.DELETED], silent=True)
        self._client.uid_expunge(uids)
        self._folders = None

    def set_flag(self, folder: str, uids, flag: str, on: bool) -> None:
        if flag not in _FLAGS:
            raise InvalidRequest(f"unknown flag {flag!r}")
        self._select(folder)
        change = self._client.add_flags if on else self._client.remove_flags
        change(check_uids(uids), [_FLAGS[flag]], silent=True)
        self._folders = None

    def move(self, folder: str, uids, target: str) -> dict[int, int]:
        """Old UID → new UID in ``target``, from the COPYUID that MOVE answers (RFC 6851 §4.3,
        RFC 4315), so «Annuler» can move exactly these messages back."""
        if check_folder(target) == check_folder(folder):
            return {}
        self._select(folder)
        uids = check_uids(uids)
        # imaplib files the untagged «OK [COPYUID …]» under its response code; imapclient
        # returns only the tagged answer, so it is read (and cleared) there.
        pending = self._client._imap.untagged_responses
        pending.pop("COPYUID", None)
        self._client.move(uids, target)
        self._folders = None
        return copied_uids(pending.pop("COPYUID", []))

    def delete(self, folder: str, uids) -> dict[int, int]:
        """To the Trash (old UID → UID in the Trash); from the Trash or Junk, for good ({})."""
        trash = self.special_folder("trash")
        here = next((f for f in self.folders() if f.name == folder), None)
        if trash and here and here.special_use not in ("trash", "junk"):
            return self.move(folder, uids, trash)
        self._select(folder)
        uids = check_uids(uids)
        self._client.add_flags(uids, [imapclient.DELETED], silent=True)
        self._client.uid_expunge(uids)
        self._folders = None
        return {}

    def empty(self, folder: str) -> int:
        """Empty the Trash or Junk folder; refuses any other folder."""
        here = next((f for f in self.folders() if f.name == check_folder(folder)), None)
        if here is None or here.special_use not in ("trash", "junk"):
            raise InvalidRequest("only the Trash and Junk folders can be emptied")
        self._select(folder)
        uids = self._client.search("ALL")
        if uids:
            self._client.add_flags(uids, [imapclient.DELETED], silent=True)
            self._client.expunge()
        self._folders = None
        return len(uids)
