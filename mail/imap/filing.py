"""What delivery and the rules need: APPEND into a folder with flags, a folder's messages
in batches («Appliquer maintenant», the preview), and finding a copy by a header after a
crash."""

import re
from datetime import date

from mail.imap.types import (
    InvalidRequest,
    check_flags,
    check_folder,
    check_text,
    check_uid,
    check_uids,
)

_HEADER_NAME = re.compile(r"[A-Za-z0-9-]{1,76}")


class FilingMixin:
    def deliver_into(self, folder: str, raw: bytes, *, flags=()) -> int:
        """APPEND an arriving message straight into its folder with its flags and keywords,
        creating the folder if the person deleted it since (as Sieve's fileinto :create)."""
        folder = self.ensure_folder(folder)
        answer = self._client.append(folder, raw, flags=check_flags(flags))
        self._folders = None
        text = answer.decode() if isinstance(answer, bytes) else str(answer)
        if "APPENDUID" in text:
            return int(text.split("APPENDUID", 1)[1].split("]", 1)[0].split()[1])
        return 0

    def ensure_folder(self, folder: str) -> str:
        folder = check_folder(folder)
        if folder.upper() != "INBOX" and not any(f.name == folder for f in self.folders()):
            self.create_folder(folder)
        return folder

    def all_uids(self, folder: str) -> list[int]:
        self._select(folder)
        return sorted(self._client.search("ALL"))

    def message_heads(self, folder: str, uids, *, max_bytes: int) -> dict[int, tuple[bytes, int]]:
        """The first ``max_bytes`` of each message (left unread) and its whole size."""
        self._select(folder)
        part = f"BODY.PEEK[]<0.{int(max_bytes)}>"
        data = self._client.fetch(check_uids(uids), [part, "RFC822.SIZE"])
        return {
            uid: (item.get(b"BODY[]<0>", b"") or b"", item.get(b"RFC822.SIZE", 0))
            for uid, item in data.items()
        }

    def add_flags(self, folder: str, uids, flags) -> None:
        self._select(folder)
        self._client.add_flags(check_uids(uids), check_flags(flags), silent=True)
        self._folders = None

    def holds_header(self, folder: str, name: str, value: str, *, since: date) -> bool:
        """Whether ``folder`` holds a message arrived on or after ``since`` whose header
        ``name`` contains ``value``; a folder that does not exist holds nothing. Not SEARCH
        HEADER: with fts_enforced, fts-xapian answers it from its index, which matches Subject
        or Message-ID but no X- header; the date search and the FETCH of one header field
        do not go through the full-text index."""
        if not _HEADER_NAME.fullmatch(name):
            raise InvalidRequest(f"invalid header name: {name!r}")
        if check_folder(folder).upper() != "INBOX" and not any(
            f.name == folder for f in self.folders(refresh=True)
        ):
            return False
        self._select(folder)
        uids = self._client.search(["SINCE", since])
        wanted = check_text(value, limit=998).encode()
        for start in range(0, len(uids), 500):
            fetched = self._client.fetch(
                uids[start : start + 500], [f"BODY.PEEK[HEADER.FIELDS ({name})]"]
            )
            for item in fetched.values():
                if any(wanted in part for key, part in item.items()
                       if key.startswith(b"BODY[HEADER.FIELDS") and part):  # fmt: skip
                    return True
        return False

    def copy_once(self, folder: str, uid: int, target: str, message_id: str) -> bool:
        """Copy unless ``target`` already holds a message with this Message-ID, so running a
        rule again copies nothing twice. Returns whether it copied."""
        target = self.ensure_folder(target)
        if message_id:
            self._select(target)
            if self._client.search(["HEADER", "Message-ID", check_text(message_id, limit=998)]):
                return False
        self._select(folder)
        self._client.copy([check_uid(uid)], target)
        self._folders = None
        return True
