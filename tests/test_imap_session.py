"""The IMAP layer against a real Dovecot: a connection whose view is behind still sees all."""

import pytest

from mail.imap import imap_session
from tests.conftest import build_message, deliver, uid_of, unique_subject

pytestmark = pytest.mark.usefixtures("mail_stack")


def test_a_connection_catches_up_before_acting_on_new_uids(prof):
    with imap_session(prof.username) as box:
        box.list_page("INBOX", page=1, page_size=10)  # INBOX selected, view taken now
        subject = unique_subject("Arrivé entre-temps")
        deliver(prof, build_message(to=prof.email, subject=subject))  # by another connection
        uid = uid_of(prof, subject)  # (found through a second pooled connection)
        assert box.fetch_raw("INBOX", uid, mark_seen=False) is not None
        box.move("INBOX", [uid], "Archive")
    assert subject not in [e.subject for e in _page(prof, "INBOX")]
    assert subject in [e.subject for e in _page(prof, "Archive")]


def _page(user, folder):
    with imap_session(user.username) as box:
        return box.list_page(folder, page=1, page_size=200).envelopes
