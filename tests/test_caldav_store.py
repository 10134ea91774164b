"""The store as a phone sees it: discovery from /.well-known/caldav through the web app's
address, Django as the identity provider, own collections only, every change indexed."""

import uuid
from datetime import datetime

import pytest
from caldav.lib import error
from django.db import connection

from accounts.app_passwords import create_app_password
from calendar_app import services
from calendar_app.models import IndexedEvent
from dav.client import dav_session
from tests.agenda_helpers import all_at_once, empty_store, phone, vevent  # noqa: F401 - fixture
from tests.conftest import PASSWORD, phone_of, wait_for

pytestmark = pytest.mark.usefixtures("empty_store")


def test_well_known_leads_to_the_dav_root_without_authentication(live_server, client):
    for name in ("caldav", "carddav"):
        response = client.generic("PROPFIND", f"/.well-known/{name}")
        assert response.status_code == 301
        assert response["Location"] == "/dav/"


def test_a_phone_with_an_app_password_discovers_creates_changes_deletes_and_syncs(
    live_server, prof, worker
):
    phone_of(prof)  # two-step verification on: only app passwords open the agenda
    _, app_password = create_app_password(user=prof, label="Téléphone")
    client = phone(live_server, "prof.demo", app_password)
    principal = client.principal()
    assert str(principal.url).startswith(f"{live_server.url}/dav/prof.demo/")
    calendar = principal.make_calendar(name="Cours", cal_id="cours")
    home = f"{live_server.url}/dav/prof.demo/"
    assert [str(c.url) for c in principal.calendars()] == [f"{home}cours/"]

    first = calendar.objects_by_sync_token(load_objects=False)
    uid = f"{uuid.uuid4()}@phone"
    start, end = datetime(2026, 9, 14, 8, 0), datetime(2026, 9, 14, 9, 0)
    event = calendar.add_event(vevent(uid, "Maths 2nde B", start, end))
    changed = calendar.objects_by_sync_token(sync_token=first.sync_token, load_objects=True)
    assert [o.icalendar_component["SUMMARY"] for o in changed] == ["Maths 2nde B"]

    event.icalendar_component["SUMMARY"] = "Maths 2nde B (salle 12)"
    event.save()
    again = calendar.objects_by_sync_token(sync_token=changed.sync_token, load_objects=True)
    assert [o.icalendar_component["SUMMARY"] for o in again] == ["Maths 2nde B (salle 12)"]
    # The hook queued the worker, which indexed the phone's change.
    wait_for(lambda: IndexedEvent.objects.filter(owner=prof, summary="Maths 2nde B (salle 12)")
             .exists())  # fmt: skip

    event.delete()
    gone = calendar.objects_by_sync_token(sync_token=again.sync_token, load_objects=False)
    assert len(gone.deleted_urls) == 1
    wait_for(lambda: not IndexedEvent.objects.filter(owner=prof, uid=uid).exists())


def test_the_account_password_works_until_a_second_factor_is_on(live_server, prof):
    assert phone(live_server, "prof.demo@ac-demo.test", PASSWORD).principal()
    phone_of(prof)
    with pytest.raises(error.AuthorizationError):
        phone(live_server, "prof.demo", PASSWORD).principal()


def test_wrong_password_and_locked_account_are_refused_at_once(live_server, prof):
    with pytest.raises(error.AuthorizationError):
        phone(live_server, "prof.demo", "pas-le-bon").principal()
    _, app_password = create_app_password(user=prof, label="Téléphone")
    assert phone(live_server, "prof.demo", app_password).principal()  # now remembered a while
    prof.status = prof.Status.LOCKED
    prof.save(update_fields=["status"])
    with pytest.raises(error.AuthorizationError):
        phone(live_server, "prof.demo", app_password).principal()


def test_another_persons_collections_are_out_of_reach(live_server, prof, colleague):
    with dav_session("collegue.demo") as session:
        session.make_calendar("personnel", "Personnel", "#000091")
    client = phone(live_server, "prof.demo", PASSWORD)
    other = client.calendar(url=f"{live_server.url}/dav/collegue.demo/personnel/")
    with pytest.raises(error.DAVError):
        other.search(event=True)
    with pytest.raises(error.DAVError):
        other.add_event(vevent("x@phone", "Intrus", datetime(2026, 9, 1, 8),
                               datetime(2026, 9, 1, 9)))


def test_the_master_login_is_refused_through_the_proxy(live_server, prof):
    from django.conf import settings

    client = phone(live_server, f"prof.demo!{settings.CALDAV_MASTER_USER}",
                   settings.CALDAV_MASTER_SECRET)  # fmt: skip
    with pytest.raises(error.AuthorizationError):
        client.principal()
    with dav_session("prof.demo") as session:  # straight to Radicale on loopback: accepted
        assert session.calendars() == []


def test_a_revoked_app_password_stops_at_once(live_server, prof):
    from accounts.app_passwords import revoke_app_password

    row, app_password = create_app_password(user=prof, label="Téléphone")
    assert phone(live_server, "prof.demo", app_password).principal()
    revoke_app_password(user=prof, app_password_id=row.pk)
    with pytest.raises(error.AuthorizationError):
        phone(live_server, "prof.demo", app_password).principal()


def test_personnel_made_by_two_first_pages_at_once_is_made_once(prof):
    """Two first pages of the agenda at the same moment (a second tab, a phone's first sync
    page): both find no calendar and make «Personnel»; the one refused finds it made."""
    shown = []
    for _ in range(4):
        with dav_session("prof.demo") as store:
            if "personnel" in {c.name for c in store.calendars()}:
                store.delete_calendar("personnel")
        shown.clear()
        assert all_at_once(lambda: shown.append(services.calendars_of(prof)), [(), ()]) == []
        assert [[c.name for c in found] for found in shown] == [["personnel"], ["personnel"]]


def _radicale_connections() -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                       "AND application_name = 'convergence-radicale'")  # fmt: skip
        return {pid for (pid,) in cursor.fetchall()}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a pool on PostgreSQL only")
def test_radicale_takes_its_database_connections_from_a_pool(prof):
    """Each request is a new thread in Radicale: its plugins' connections (the auth's check,
    the hook's count) are taken from a pool, not opened and closed by every request."""

    def write(n: int) -> None:
        uid = f"{uuid.uuid4()}@pool"
        with dav_session("prof.demo") as store:
            services.calendars_of(prof)  # «Personnel» made if missing
            store.put("personnel", f"{uid}.ics",
                      vevent(uid, f"Réunion {n}", datetime(2026, 9, 14, 8 + n),
                             datetime(2026, 9, 14, 9 + n)), etag=None)  # fmt: skip

    write(0)
    kept = _radicale_connections()
    assert kept, "closed with the request: no pool"
    for n in range(1, 6):
        write(n)
    assert kept & _radicale_connections(), "none of them used again"
    assert len(_radicale_connections()) <= 10
