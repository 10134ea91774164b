"""IMAP for team work in shared mailboxes: states as keywords, finding a message again by
its Message-ID, what the journal needs to name a message, unread counts of other mailboxes.

Keywords (RFC 3501 §2.3.2) are stored by Dovecot with the message, so other mail clients
see and keep them; each STORE is atomic on the server.
"""

from mail.imap.types import InvalidRequest, check_folder, check_uid, check_uids, decode_words

STATE_KEYWORDS = {"todo": "$ATraiter", "doing": "$EnCours", "done": "$Traite"}
_KEYWORD_STATES = {keyword.lower(): state for state, keyword in STATE_KEYWORDS.items()}


def state_of(keywords) -> str:
    """The state a message's keywords say (the last one if a client set several)."""
    found = [_KEYWORD_STATES[k.lower()] for k in keywords if k.lower() in _KEYWORD_STATES]
    return found[-1] if found else ""


def check_message_id(value: str) -> str:
    value = value.strip()
    # No control characters, spaces, quotes or backslashes: nothing that could end the
    # search string early, whatever imapclient does to quote it.
    if not value or len(value) > 255 or any(ord(c) < 33 or c in '"\\\x7f' for c in value):
        raise InvalidRequest("invalid Message-ID")
    return value


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value or "")


class TeamworkMixin:
    """Mixed into MailboxSession (mail.imap.session)."""

    def identify(self, folder: str, uids) -> dict[int, tuple[str, str]]:
        """UID → (Message-ID, subject), what the journal records of each message."""
        self._select(folder)
        data = self._client.fetch(check_uids(uids), ["ENVELOPE"])
        found = {}
        for uid, item in data.items():
            envelope = item.get(b"ENVELOPE")
            if envelope is not None:
                found[uid] = (_text(envelope.message_id), decode_words(envelope.subject))
        return found

    def keywords(self, folder: str, uid: int) -> set[str]:
        self._select(folder)
        data = self._client.fetch([check_uid(uid)], ["FLAGS"])
        flags = data.get(uid, {}).get(b"FLAGS", ())
        return {_text(flag) for flag in flags if not _text(flag).startswith("\\")}

    def set_state(self, folder: str, uid: int, state: str) -> None:
        """One state keyword at most: the others are removed, then the new one is added."""
        if state and state not in STATE_KEYWORDS:
            raise InvalidRequest(f"unknown state {state!r}")
        self._select(folder)
        uids = [check_uid(uid)]
        others = [k for s, k in STATE_KEYWORDS.items() if s != state]
        self._client.remove_flags(uids, others, silent=True)
        if state:
            self._client.add_flags(uids, [STATE_KEYWORDS[state]], silent=True)
        self._folders = None

    def locate(self, message_id: str) -> tuple[str, int] | None:
        """(folder, UID) of the message with this Message-ID, the INBOX first, then every
        folder but the Trash; None if it is nowhere (deleted for good)."""
        message_id = check_message_id(message_id)
        folders = sorted(
            (f for f in self.folders() if f.selectable and f.special_use != "trash"),
            key=lambda f: f.special_use != "inbox",
        )
        for folder in folders:
            self._select(folder.name)
            uids = self._client.search(["HEADER", "Message-ID", message_id])
            if uids:
                return folder.name, max(uids)
        return None

    def unread_count(self, folder: str = "INBOX") -> int:
        status = self._client.folder_status(check_folder(folder), [b"UNSEEN"])
        return int(status.get(b"UNSEEN", 0))


