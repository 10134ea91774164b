"""Helpers of the agenda tests: an empty store per test, a phone that speaks CalDAV."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from caldav import DAVClient

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def empty_store(radicale, live_server, transactional_db):
    """Radicale on an empty store, and the web app in front of it (the /dav/ proxy). Test
    modules import it and use it with ``pytestmark = pytest.mark.usefixtures("empty_store")``."""
    radicale.wipe()
    yield radicale
    radicale.wipe()


def phone(live_server, login: str, password: str) -> DAVClient:
    """A CalDAV client configured as a phone is: the web app's address and the credentials."""
    return DAVClient(url=f"{live_server.url}/.well-known/caldav", username=login,
                     password=password, require_tls=False, enable_rfc6764=False)  # fmt: skip


def vevent(uid: str, summary: str, start: datetime, end: datetime, extra: str = "") -> str:
    fmt = "%Y%m%dT%H%M%S"
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Phone//Test//FR\r\nBEGIN:VEVENT\r\n"
        f"UID:{uid}\r\nDTSTAMP:20260901T080000Z\r\nSUMMARY:{summary}\r\n"
        f"DTSTART;TZID=Europe/Paris:{start.strftime(fmt)}\r\n"
        f"DTEND;TZID=Europe/Paris:{end.strftime(fmt)}\r\n{extra}END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
