"""The IMAP layer against a real Dovecot: a connection whose view is behind still sees all."""

import pytest

from mail.imap import close_all_sessions, imap_session
from mail.imap.cache import folder_caches
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


def test_a_list_sorted_before_a_change_is_not_kept_as_the_new_state(prof):
    """Two requests on one folder: the first SORTs, mail arrives, the second brings the shared
    cache up to the new state, then the first finishes. Its older list must not be kept as the
    new state's, or the new message stays out of the list until the folder changes again."""
    subject = unique_subject("Arrivé pendant le tri")
    folder_caches.clear()  # the first request's SORT is not answered by an earlier test's
    with imap_session(prof.username) as first:
        sort = first._client.sort

        def sort_while_mail_arrives(*args):
            uids = sort(*args)
            deliver(prof, build_message(to=prof.email, subject=subject))
            assert subject in [e.subject for e in _page(prof, "INBOX")]  # the second request
            return uids

        first._client.sort = sort_while_mail_arrives
        first.list_page("INBOX", page=1, page_size=10)
        del first._client.sort
    close_all_sessions()  # a new connection, whose view has the message, reads the cache
    assert subject in [e.subject for e in _page(prof, "INBOX")]
