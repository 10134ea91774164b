"""Helpers of the agenda tests: an empty store per test, a phone that speaks CalDAV, requests
let go at the same moment."""

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from caldav import DAVClient
from django.db import connections

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


def all_at_once(work, calls) -> list[Exception]:
    """``work(*args)`` for each of ``calls``, each in its own thread, all let go at the same
    moment; returns, when every one is done, what they raised."""
    calls = list(calls)
    barrier = threading.Barrier(len(calls))
    raised: list[Exception] = []

    def run(*args):
        barrier.wait()
        try:
            work(*args)
        except Exception as exc:  # noqa: BLE001 - the caller judges what each one raised
            raised.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=args) for args in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return raised
