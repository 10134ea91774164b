"""The web agenda as a CalDAV client of the real Radicale: what the web writes a phone reads,
and the reverse; recurring edits, concurrent changes, several calendars, the store down."""

import re
import uuid
from datetime import datetime

import pytest

from calendar_app import ical, services
from calendar_app.models import AgendaSettings
from dav.client import dav_session
from tests.agenda_helpers import PARIS, empty_store, phone, vevent  # noqa: F401 - fixture
from tests.conftest import PASSWORD

pytestmark = pytest.mark.usefixtures("empty_store")


@pytest.fixture
def signed_in(client, prof):
    client.force_login(prof)
    return client


def _form(**overrides) -> dict:
    data = {
        "title": "Conseil de classe 2nde B", "calendar": "personnel", "location": "Salle 104",
        "start_date": "2026-11-17", "start_time": "17:30", "end_date": "2026-11-17",
        "end_time": "19:00", "time_zone": "Europe/Paris", "description": "Ordre du jour joint.",
        "category": "conseil", "busy": "busy", "privacy": "public", "reminders": ["15"],
        "frequency": "", "interval": "1", "ends": "never", "monthly_by": "date",
    }  # fmt: skip
    data.update(overrides)
    return data


def _phone_events(live_server, calendar="personnel"):
    client = phone(live_server, "prof.demo", PASSWORD)
    cal = client.calendar(url=f"{live_server.url}/dav/prof.demo/{calendar}/")
    return cal, cal.search(event=True)


def test_first_visit_creates_the_personal_calendar_and_shows_the_week(signed_in):
    response = signed_in.get("/agenda/semaine/?date=2026-11-17")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Semaine 47" in page and "Personnel" in page
    with dav_session("prof.demo") as store:
        assert [c.name for c in store.calendars()] == ["personnel"]


def test_an_event_created_on_the_web_is_on_the_phone(signed_in, live_server):
    response = signed_in.post("/agenda/evenement/nouveau/", _form())
    assert response.status_code == 302
    _, events = _phone_events(live_server)
    event = events[0].icalendar_component
    assert str(event["SUMMARY"]) == "Conseil de classe 2nde B"
    assert event["DTSTART"].dt == datetime(2026, 11, 17, 17, 30, tzinfo=PARIS)
    assert str(event["CATEGORIES"].cats[0]) == "conseil" and str(event["CLASS"]) == "PUBLIC"
    assert "TRIGGER:-PT15M" in events[0].data
    page = signed_in.get("/agenda/semaine/?date=2026-11-17").content.decode()
    assert "Conseil de classe 2nde B" in page and "17:30 – 19:00" in page
    detail = re.search(r'href="(/agenda/evenement/personnel/[^"]+)"', page).group(1)
    assert "@ac-demo.test.ics/" in detail  # the UID's «@», decoded from the server's %40
    assert "Salle 104" in signed_in.get(detail).content.decode()


def test_an_event_created_on_a_phone_is_on_the_web(signed_in, live_server):
    signed_in.get("/agenda/semaine/")  # «Personnel» exists once the web agenda was opened
    cal, _ = _phone_events(live_server)
    cal.add_event(vevent(f"{uuid.uuid4()}@phone", "Réunion parents-professeurs",
                         datetime(2026, 11, 19, 18), datetime(2026, 11, 19, 20)))  # fmt: skip
    for view in ("jour", "semaine", "mois", "liste"):
        page = signed_in.get(f"/agenda/vue/{view}/?date=2026-11-19").content.decode()
        assert "Réunion parents-professeurs" in page, view


def test_recurring_event_edit_this_one_and_delete_the_following(signed_in, live_server):
    signed_in.post("/agenda/evenement/nouveau/", _form(
        title="Maths 2nde B", start_date="2026-09-07", end_date="2026-09-07", start_time="08:00",
        end_time="09:00", frequency="WEEKLY", weekdays=["MO"], category="cours"))  # fmt: skip
    _, [event] = _phone_events(live_server)
    href = str(event.url).rsplit("/", 1)[-1]
    key = ical.recurrence_key(datetime(2026, 9, 14, 8, tzinfo=PARIS))
    url = f"/agenda/evenement/personnel/{href}/modifier/?occurrence={key}"
    form = signed_in.get(url)
    assert "Cet événement" in form.content.decode()
    etag = form.context["form"].initial["etag"]
    response = signed_in.post(url, _form(
        title="Maths 2nde B (salle 12)", start_date="2026-09-14", end_date="2026-09-14",
        start_time="10:00", end_time="11:00", scope="this", etag=etag))  # fmt: skip
    assert response.status_code == 302
    _, [event] = _phone_events(live_server)
    assert "RECURRENCE-ID;TZID=Europe/Paris:20260914T080000" in event.data

    week = signed_in.get("/agenda/semaine/?date=2026-09-14").content.decode()
    assert "Maths 2nde B (salle 12)" in week and "10:00 – 11:00" in week

    key = ical.recurrence_key(datetime(2026, 9, 28, 8, tzinfo=PARIS))
    url = f"/agenda/evenement/personnel/{href}/supprimer/?occurrence={key}"
    etag = signed_in.get(url).context["occurrence"].etag
    assert signed_in.post(url, {"scope": "following", "etag": etag}).status_code == 302
    _, [event] = _phone_events(live_server)
    assert "UNTIL=20260928T055959Z" in event.data
    assert "Maths" not in signed_in.get("/agenda/semaine/?date=2026-09-28").content.decode()
    assert "Maths" in signed_in.get("/agenda/semaine/?date=2026-09-21").content.decode()


def test_a_change_made_on_a_phone_meanwhile_is_not_overwritten(signed_in, live_server):
    signed_in.post("/agenda/evenement/nouveau/", _form())
    _, [event] = _phone_events(live_server)
    href = str(event.url).rsplit("/", 1)[-1]
    url = f"/agenda/evenement/personnel/{href}/modifier/"
    etag = signed_in.get(url).context["form"].initial["etag"]

    event.icalendar_component["SUMMARY"] = "Conseil de classe reporté"
    event.save()  # the phone, while the web form is open

    response = signed_in.post(url, _form(title="Conseil de classe (web)", etag=etag))
    assert response.status_code == 200
    page = response.content.decode()
    assert "a été modifié ailleurs" in page and "Conseil de classe reporté" in page
    assert 'value="Conseil de classe (web)"' in page  # the typing is kept
    _, [event] = _phone_events(live_server)
    assert str(event.icalendar_component["SUMMARY"]) == "Conseil de classe reporté"
    # Saving again is a deliberate choice: it now carries the current ETag.
    current = response.context["form"].data["etag"]
    again = signed_in.post(url, _form(title="Conseil de classe (web)", etag=current))
    assert again.status_code == 302
    _, [event] = _phone_events(live_server)
    assert str(event.icalendar_component["SUMMARY"]) == "Conseil de classe (web)"


def test_several_calendars_rename_colour_hide_delete(signed_in, live_server):
    signed_in.get("/agenda/semaine/")
    response = signed_in.post("/agenda/calendriers/", {"display_name": "Cours 2026-2027",
                                                       "color": "#18753c"})  # fmt: skip
    assert response.status_code == 302
    with dav_session("prof.demo") as store:
        assert {c.name: c.color for c in store.calendars()} == {
            "personnel": "#000091", "cours-2026-2027": "#18753c"}
    signed_in.post("/agenda/evenement/nouveau/",
                   _form(title="Physique 1re", calendar="cours-2026-2027"))
    assert "Physique 1re" in signed_in.get("/agenda/semaine/?date=2026-11-17").content.decode()

    signed_in.post("/agenda/calendriers/cours-2026-2027/", {
        "display_name": "Mes cours", "color": "#b34000", "hidden": "on"})  # fmt: skip
    with dav_session("prof.demo") as store:
        assert ("Mes cours", "#b34000") in [(c.display_name, c.color) for c in store.calendars()]
    assert "Physique 1re" not in signed_in.get("/agenda/semaine/?date=2026-11-17").content.decode()

    confirm = signed_in.get("/agenda/calendriers/cours-2026-2027/?supprimer=1").content.decode()
    assert "Supprimer cet agenda ?" in confirm
    signed_in.post("/agenda/calendriers/cours-2026-2027/", {"operation": "delete"})
    with dav_session("prof.demo") as store:
        assert [c.name for c in store.calendars()] == ["personnel"]


def test_someone_elses_calendar_and_events_answer_404(signed_in, colleague):
    with dav_session("collegue.demo") as store:
        store.make_calendar("personnel", "Personnel", "#000091")
        store.put("personnel", "x.ics", vevent("x", "Privé", datetime(2026, 9, 1, 8),
                                                datetime(2026, 9, 1, 9)), etag=None)  # fmt: skip
    assert signed_in.get("/agenda/calendriers/inconnu/").status_code == 404
    assert signed_in.get("/agenda/evenement/personnel/x.ics/").status_code == 404


def test_bad_input_gets_french_errors(signed_in):
    signed_in.get("/agenda/semaine/")
    response = signed_in.post("/agenda/evenement/nouveau/", _form(
        title="", end_date="2026-11-16", frequency="DAILY", ends="until", until=""))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Ce champ est obligatoire" in page
    assert signed_in.get("/agenda/vue/semaine/?date=pas-une-date").status_code == 200
    assert signed_in.get("/agenda/vue/annee/").status_code == 404


def test_the_store_down_is_a_french_message_and_mail_still_works(signed_in, settings):
    from devstack.loopback import free_port

    settings.CALDAV_URL = f"http://127.0.0.1:{free_port()}/"
    response = signed_in.get("/agenda/semaine/")
    assert response.status_code == 503
    assert "L'agenda est indisponible pour le moment" in response.content.decode()
    assert signed_in.get("/compte/").status_code == 200



def test_search_finds_events_from_the_web_and_from_a_phone_over_a_range(
    signed_in, live_server, worker
):
    from calendar_app.models import IndexedEvent
    from tests.conftest import wait_for

    signed_in.post("/agenda/evenement/nouveau/", _form(
        title="Conseil de classe 1re C", start_date="2026-12-08", end_date="2026-12-08"))
    cal, _ = _phone_events(live_server)
    cal.add_event(vevent(f"{uuid.uuid4()}@phone", "Réunion équipe", datetime(2026, 12, 9, 12),
                         datetime(2026, 12, 9, 13), "LOCATION:Salle des conseils\r\n"))
    wait_for(lambda: IndexedEvent.objects.filter(owner__username="prof.demo").count() == 2)

    page = signed_in.get("/agenda/recherche/?q=conseil&du=2026-12-01&au=2026-12-31")
    text = page.content.decode()
    assert "Conseil de classe 1re C" in text and "Réunion équipe" in text  # title, place
    narrower = signed_in.get("/agenda/recherche/?q=conseil&du=2026-12-09&au=2026-12-31")
    assert "Conseil de classe 1re C" not in narrower.content.decode()
    nothing = signed_in.get("/agenda/recherche/?q=inexistant").content.decode()
    assert "Aucun événement ne correspond à « inexistant »" in nothing


def test_create_an_event_from_a_message(signed_in, prof, colleague, dovecot):
    from mail.models import Mailbox
    from tests.conftest import build_message, deliver, uid_of, unique_subject

    subject = unique_subject("Convocation conseil de classe")
    deliver(prof, build_message(to=prof.email, subject=subject,
                                body="Le conseil aura lieu le 17 novembre à 17 h 30, salle 104."))
    uid = uid_of(prof, subject)
    mailbox = Mailbox.objects.get(owner=prof)
    message_page = signed_in.get(f"/mail/boite/{mailbox.id}/message/INBOX/{uid}/")
    link = f"/agenda/evenement/nouveau/?boite={mailbox.id}&amp;dossier=INBOX&amp;uid={uid}"
    assert link in message_page.content.decode()

    form = signed_in.get(f"/agenda/evenement/nouveau/?boite={mailbox.id}&dossier=INBOX&uid={uid}")
    initial = form.context["form"].initial
    assert initial["title"] == subject
    assert "Famille Durand" in initial["description"]
    assert "salle 104" in initial["description"]
    other = Mailbox.objects.get(owner=colleague)
    assert signed_in.get(
        f"/agenda/evenement/nouveau/?boite={other.id}&dossier=INBOX&uid=1").status_code == 404


def test_listing_someones_calendars_writes_no_settings(prof):
    """A room's REPLY applied to an organiser who never changed a setting reads their
    calendars: no row is written for it (on SQLite a write waits for every other)."""
    assert [c.name for c in services.calendars_of(prof)] == ["personnel"]
    assert not AgendaSettings.objects.filter(user=prof).exists()
    services.set_hidden(prof, "personnel", True)
    assert [c.hidden for c in services.calendars_of(prof)] == [True]
