"""The IMAP pool (mail/imap/pool.py): emptied, it takes back no session that was in use then
(a request still running would hand a warm session back to a pool meant to be empty)."""

import pytest

from mail.imap import pool
from mail.imap.session import MailboxSession


class FakeClient:
    normalise_times = True

    def __init__(self):
        self.logged_out = False

    def logout(self):
        self.logged_out = True


@pytest.fixture
def connect(monkeypatch):
    made = []

    def fake(imap_user):
        made.append(MailboxSession(FakeClient(), imap_user))
        return made[-1]

    monkeypatch.setattr(pool, "_connect", fake)
    monkeypatch.setattr(MailboxSession, "logout", lambda self: made.remove(self))
    return made


def test_a_session_in_use_when_the_pool_is_emptied_is_not_taken_back(connect):
    lent = pool._Pool()
    first = lent.take("prof.demo")
    lent.give_back("prof.demo", first)
    assert lent.take("prof.demo") is first  # warm

    in_flight = lent.take("collegue.demo")
    lent.clear()
    lent.give_back("collegue.demo", in_flight)
    assert in_flight not in connect  # logged out, not kept
    assert lent.take("collegue.demo") is not in_flight

    lent.give_back("prof.demo", first)  # taken before the clear too
    fresh = lent.take("prof.demo")
    assert fresh is not first
    lent.give_back("prof.demo", fresh)  # taken after it: kept
    assert lent.take("prof.demo") is fresh
