"""Sharing a calendar (#14): the share page, and the privacy rule on every path that shows a
shared event — the web agenda, an event's page, search, free/busy JSON and the CalDAV data a
phone syncs (the filtered copy for «lecture», the calendar itself for «modification»,
nothing for «disponibilités seulement») — against the real Radicale and its plugins."""

import threading
from datetime import datetime

import pytest
from caldav.elements import dav
from caldav.lib import error
from django.db import connection

from accounts.models import AccountEvent
from calendar_app import ical, inbox, itip, mirror, services, sharing
from calendar_app.index import reindex_collection
from calendar_app.models import CalendarShare, Level
from dav.client import DavNotFound, dav_session
from tests.agenda_helpers import empty_store, phone, vevent  # noqa: F401 - fixture
from tests.conftest import PASSWORD, make_person, wait_for

pytestmark = pytest.mark.usefixtures("empty_store")
SECRETS = ("Rendez-vous médical", "Cabinet Dr Roux", "Résultats", "dr.roux")
PUBLIC = "Conseil pédagogique"
WEEK = "/agenda/vue/semaine/?date=2026-11-16"


def _put(login: str, uid: str, summary: str, start, end, extra: str = "") -> None:
    with dav_session(login) as store:
        store.put("personnel", f"{uid}.ics", vevent(uid, summary, start, end, extra), etag=None)


@pytest.fixture
def prof_week(prof):
    """Camille's Monday 16 November 2026: a public meeting and a private appointment."""
    services.calendars_of(prof)
    _put("prof.demo", "public-1", PUBLIC, datetime(2026, 11, 16, 10), datetime(2026, 11, 16, 11),
         "LOCATION:Salle 12\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT15M\r\n"
         "DESCRIPTION:x\r\nEND:VALARM\r\n")  # fmt: skip
    _put("prof.demo", "private-1", SECRETS[0], datetime(2026, 11, 16, 14),
         datetime(2026, 11, 16, 15), f"CLASS:PRIVATE\r\nLOCATION:{SECRETS[1]}\r\n"
         f"DESCRIPTION:{SECRETS[2]}\r\nATTENDEE:mailto:{SECRETS[3]}@example.org\r\n")  # fmt: skip
    reindex_collection("prof.demo", "personnel")
    return prof


def _share(owner, grantee, level: str, **extra) -> CalendarShare:
    return sharing.grant(owner, owner, "personnel", user=grantee, level=level, **extra)


def _assert_no_secret(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text


def test_the_share_page_gives_and_takes_a_share_in_the_audit_log(client, prof, colleague):
    services.calendars_of(prof)
    client.force_login(prof)
    url = "/agenda/calendriers/personnel/partage/"
    page = client.get(url)
    assert page.status_code == 200 and "Partager" in page.content.decode()
    bad = client.post(url, {"kind": "personne", "address": "personne@ailleurs.example",
                            "level": Level.READ})  # fmt: skip
    assert "Aucun collègue n’a cette adresse" in bad.content.decode().replace("'", "’")
    delegation = client.post(url, {"kind": "personne", "address": colleague.email,
                                   "level": Level.READ, "may_answer": "on"})  # fmt: skip
    assert CalendarShare.objects.count() == 0 and delegation.status_code == 200
    assert "Une délégation se donne à une personne" in delegation.content.decode()
    undated = client.post(url, {"kind": "personne", "address": colleague.email,
                                "level": Level.WRITE, "may_answer": "on"})  # fmt: skip
    assert "Une délégation a besoin d’une date de fin" in undated.content.decode()
    assert CalendarShare.objects.count() == 0
    response = client.post(url, {"kind": "personne", "address": colleague.email,
                                 "level": Level.READ})  # fmt: skip
    assert response.status_code == 302
    share = CalendarShare.objects.get()
    assert (share.user, share.level, share.created_by) == (colleague, Level.READ, prof)
    assert colleague.get_full_name() in client.get(url).content.decode()
    client.force_login(colleague)  # someone else's share: not theirs to take
    assert client.post(f"{url}{share.pk}/retirer/").status_code == 404
    client.force_login(prof)
    client.post(f"{url}{share.pk}/retirer/")
    assert not CalendarShare.objects.exists()
    actions = [e.details["action"] for e in AccountEvent.objects.filter(
        user=prof, kind=AccountEvent.Kind.AGENDA_SHARING).order_by("id")]  # fmt: skip
    assert actions == ["granted", "revoked"]


def test_lecture_in_the_web_agenda_event_page_and_search(client, prof_week, colleague):
    _share(prof_week, colleague, Level.READ)
    client.force_login(colleague)
    week = client.get(WEEK).content.decode()
    assert "Agendas partagés avec moi" in week and PUBLIC in week and "Occupé" in week
    _assert_no_secret(week)
    detail = client.get("/agenda/partage/prof.demo/personnel/evenement/private-1.ics/")
    assert detail.status_code == 200 and "Occupé" in detail.content.decode()
    _assert_no_secret(detail.content.decode())
    found = client.get("/agenda/recherche/", {"q": "Conseil", "du": "2026-11-01",
                                              "au": "2026-11-30"}).content.decode()  # fmt: skip
    assert PUBLIC in found
    hidden = client.get("/agenda/recherche/", {"q": "médical", "du": "2026-11-01",
                                               "au": "2026-11-30"}).content.decode()  # fmt: skip
    _assert_no_secret(hidden)
    assert "14:00" not in hidden  # not even found: its words are not the reader's
    edit = client.get("/agenda/partage/prof.demo/personnel/evenement/public-1.ics/modifier/")
    assert edit.status_code == 403
    client.post("/agenda/partage/prof.demo/personnel/affichage/",
                {"hidden": "1", "next": WEEK})  # fmt: skip
    assert PUBLIC not in client.get(WEEK).content.decode()


def test_lecture_search_skips_a_private_occurrence_of_a_public_series(client, prof_week,
                                                                      colleague):  # fmt: skip
    """The index holds the series' own words and CLASS; one occurrence made private (as a
    phone writes it, its own VEVENT) must not be found by them either, not even as a time."""
    _put("prof.demo", "conseils", PUBLIC, datetime(2026, 11, 2, 9), datetime(2026, 11, 2, 10),
         "RRULE:FREQ=WEEKLY;COUNT=3\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:conseils\r\n"
         "DTSTAMP:20261101T080000Z\r\nRECURRENCE-ID;TZID=Europe/Paris:20261109T090000\r\n"
         "DTSTART;TZID=Europe/Paris:20261109T163000\r\n"
         "DTEND;TZID=Europe/Paris:20261109T173000\r\n"
         f"SUMMARY:{PUBLIC}\r\nCLASS:PRIVATE\r\nDESCRIPTION:{SECRETS[2]}\r\n")  # fmt: skip
    reindex_collection("prof.demo", "personnel")
    _share(prof_week, colleague, Level.READ)
    client.force_login(colleague)
    found = client.get("/agenda/recherche/", {"q": "Conseil", "du": "2026-11-01",
                                              "au": "2026-11-30"}).content.decode()  # fmt: skip
    _assert_no_secret(found)
    assert "09:00" in found and "16:30" not in found


def test_availability_only_shows_times_everywhere(client, prof_week, colleague):
    _share(prof_week, colleague, Level.FREEBUSY)
    client.force_login(colleague)
    week = client.get(WEEK).content.decode()
    assert "Occupé" in week and PUBLIC not in week and "Salle 12" not in week
    _assert_no_secret(week)
    found = client.get("/agenda/recherche/", {"q": "Conseil", "du": "2026-11-01",
                                              "au": "2026-11-30"}).content.decode()  # fmt: skip
    assert PUBLIC not in found
    busy = client.get("/agenda/disponibilites/", {
        "email": prof_week.email, "debut": "2026-11-16", "fin": "2026-11-17"}).json()
    assert {p["titre"] for p in busy["personnes"][0]["occupe"]} == {"Occupé"}


def test_free_busy_json_titles_follow_the_level(client, prof_week, colleague):
    client.force_login(colleague)
    query = {"email": prof_week.email, "debut": "2026-11-16", "fin": "2026-11-17"}
    titles = [p["titre"] for p in client.get("/agenda/disponibilites/", query).json()[
        "personnes"][0]["occupe"]]
    assert titles == ["Occupé", "Occupé"]  # no share: times only
    _share(prof_week, colleague, Level.READ)
    answer = client.get("/agenda/disponibilites/", query)
    titles = [p["titre"] for p in answer.json()["personnes"][0]["occupe"]]
    assert titles == [PUBLIC, "Occupé"]
    _assert_no_secret(answer.content.decode())


def test_modification_writes_on_the_web_and_sees_private_events(client, prof_week, colleague):
    _share(prof_week, colleague, Level.WRITE)
    client.force_login(colleague)
    assert SECRETS[0] in client.get(WEEK).content.decode()
    response = client.post("/agenda/partage/prof.demo/personnel/nouveau/", {
        "title": "Rendez-vous parent d'élève", "calendar": "personnel",
        "start_date": "2026-11-18", "start_time": "17:00", "end_date": "2026-11-18",
        "end_time": "17:30", "time_zone": "Europe/Paris", "busy": "busy", "privacy": "public",
        "frequency": "", "interval": "1", "ends": "never", "monthly_by": "date",
    })  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    with dav_session("prof.demo") as store:
        texts = [r.text for r in store.all_resources("personnel")]
    assert any("Rendez-vous parent" in text for text in texts)


def _phone_calendar(live_server, login: str, path: str):
    return phone(live_server, login, PASSWORD).calendar(url=f"{live_server.url}/dav/{path}/")


def test_a_phone_with_lecture_syncs_the_filtered_copy_only(live_server, prof_week, colleague,
                                                           worker):  # fmt: skip
    _share(prof_week, colleague, Level.READ)
    copy = _phone_calendar(live_server, "collegue.demo", "prof.demo/lecture--personnel")
    texts = [event.data for event in copy.search(event=True)]
    assert len(texts) == 2
    joined = "\n".join(texts)
    assert PUBLIC in joined and "Occupé" in joined and "VALARM" not in joined
    _assert_no_secret(joined)
    with pytest.raises(error.DAVError):  # the copy is read only
        copy.add_event(vevent("x@phone", "Intrus", datetime(2026, 11, 20, 8),
                              datetime(2026, 11, 20, 9)))  # fmt: skip
    with pytest.raises(error.DAVError):  # the calendar itself: out of reach
        _phone_calendar(live_server, "collegue.demo", "prof.demo/personnel").search(event=True)
    # A new private event from the owner's phone reaches the copy, filtered: Radicale's hook,
    # the real worker's index task, the copy.
    _phone_calendar(live_server, "prof.demo", "prof.demo/personnel").add_event(vevent(
        "private-2", "Entretien confidentiel", datetime(2026, 11, 17, 9),
        datetime(2026, 11, 17, 10), "CLASS:CONFIDENTIAL\r\n"))  # fmt: skip
    joined = wait_for(lambda: "\n".join(
        e.data for e in copy.search(event=True)) if len(copy.search(event=True)) == 3 else None)
    assert "private-2" in joined and "Entretien" not in joined
    # The owner's phone does not list the copy among her calendars.
    owner_phone = phone(live_server, "prof.demo", PASSWORD)
    names = [str(c.url).rstrip("/").rsplit("/", 1)[-1] for c in
             owner_phone.principal().calendars()]  # fmt: skip
    assert names == ["personnel"]


def test_a_phone_with_modification_writes_the_calendar(live_server, prof_week, colleague):
    share = _share(prof_week, colleague, Level.WRITE)
    calendar = _phone_calendar(live_server, "collegue.demo", "prof.demo/personnel")
    calendar.add_event(vevent("from-phone@x", "Réunion ajoutée par Louis",
                              datetime(2026, 11, 19, 8), datetime(2026, 11, 19, 9)))  # fmt: skip
    with dav_session("prof.demo") as store:
        assert store.get("personnel", "from-phone@x.ics").text
    with pytest.raises(error.DAVError):  # the events, not the calendar itself
        calendar.delete()
    with pytest.raises(error.DAVError):
        calendar.set_properties([dav.DisplayName("Pris par Louis")])
    with dav_session("prof.demo") as store:
        assert [c.display_name for c in store.calendars()] == ["Personnel"]
    sharing.revoke(prof_week, share)
    with pytest.raises(error.DAVError):  # taken back: at once
        calendar.search(event=True)


def test_a_phone_with_availability_only_syncs_times_only(live_server, prof_week, colleague,
                                                         worker):  # fmt: skip
    _share(prof_week, colleague, Level.FREEBUSY)
    for path in ("prof.demo/personnel", "prof.demo/lecture--personnel"):
        with pytest.raises(error.DAVError):
            _phone_calendar(live_server, "collegue.demo", path).search(event=True)
    copy = _phone_calendar(live_server, "collegue.demo", "prof.demo/disponibilites--personnel")
    texts = [event.data for event in copy.search(event=True)]
    assert len(texts) == 2 and all("SUMMARY:Occupé" in text for text in texts)
    assert PUBLIC not in "\n".join(texts) and "Salle 12" not in "\n".join(texts)
    _assert_no_secret("\n".join(texts))
    with pytest.raises(error.DAVError):  # the copy is read only
        copy.add_event(vevent("x@phone", "Intrus", datetime(2026, 11, 20, 8),
                              datetime(2026, 11, 20, 9)))  # fmt: skip
    # A «libre» event from the owner's phone is not busy: not in the copy; a busy one is.
    owner = _phone_calendar(live_server, "prof.demo", "prof.demo/personnel")
    owner.add_event(vevent("free-1", "Lecture libre", datetime(2026, 11, 18, 9),
                           datetime(2026, 11, 18, 10), "TRANSP:TRANSPARENT\r\n"))  # fmt: skip
    owner.add_event(vevent("busy-1", "Jury du bac", datetime(2026, 11, 18, 14),
                           datetime(2026, 11, 18, 15)))  # fmt: skip
    joined = wait_for(lambda: "\n".join(
        e.data for e in copy.search(event=True)) if len(copy.search(event=True)) == 3 else None)
    assert "busy-1" in joined and "Jury" not in joined and "free-1" not in joined


def _home(live_server, login: str) -> dict:
    """The calendars a phone finds in ``login``'s home (what iOS lists), by name."""
    calendars = phone(live_server, login, PASSWORD).principal().calendars()
    return {str(c.url).rstrip("/").rsplit("/", 1)[-1]: c for c in calendars}


def test_a_phone_lists_the_calendars_shared_with_its_person(live_server, prof_week, colleague):
    services.calendars_of(colleague)
    share = _share(prof_week, colleague, Level.READ)
    home = _home(live_server, "collegue.demo")
    assert sorted(home) == ["partage--prof.demo--personnel", "personnel"]
    shared = home["partage--prof.demo--personnel"]
    assert shared.get_display_name() == "Personnel (Camille Martin)"
    joined = "\n".join(event.data for event in shared.search(event=True))
    assert PUBLIC in joined and "Occupé" in joined and "VALARM" not in joined
    _assert_no_secret(joined)
    synced = list(shared.objects_by_sync_token(load_objects=True))  # as iOS syncs
    assert len(synced) == 2
    _assert_no_secret("\n".join(event.data for event in synced))
    with pytest.raises(error.DAVError):  # «lecture»: read only
        shared.add_event(vevent("x@phone", "Intrus", datetime(2026, 11, 20, 8),
                                datetime(2026, 11, 20, 9)))  # fmt: skip
    share.level = Level.WRITE  # now «modification»: the calendar itself, private events too
    share.save()
    shared = _home(live_server, "collegue.demo")["partage--prof.demo--personnel"]
    assert SECRETS[0] in "\n".join(event.data for event in shared.search(event=True))
    shared.add_event(vevent("from-home@x", "Ajouté depuis l'iPhone de Louis",
                            datetime(2026, 11, 19, 8), datetime(2026, 11, 19, 9)))  # fmt: skip
    with dav_session("prof.demo") as store:
        assert "Louis" in store.get("personnel", "from-home@x.ics").text
    shared.event_by_uid("from-home@x").delete()
    with dav_session("prof.demo") as store, pytest.raises(DavNotFound):
        store.get("personnel", "from-home@x.ics")
    with pytest.raises(error.DAVError):  # the events, not the calendar's name
        shared.set_properties([dav.DisplayName("Pris par Louis")])
    # The owner's phone lists her own calendar only; the web app, his own calendars only.
    assert sorted(_home(live_server, "prof.demo")) == ["personnel"]
    with dav_session("collegue.demo") as store:
        assert [c.name for c in store.calendars()] == ["personnel"]
    sharing.revoke(prof_week, share)
    assert sorted(_home(live_server, "collegue.demo")) == ["personnel"]
    with pytest.raises(error.DAVError):  # taken back: at once
        shared.search(event=True)


def test_a_phone_lists_availability_only_as_times(live_server, prof_week, colleague):
    services.calendars_of(colleague)
    _share(prof_week, colleague, Level.FREEBUSY)
    home = _home(live_server, "collegue.demo")
    assert sorted(home) == ["partage--prof.demo--personnel", "personnel"]
    texts = [e.data for e in home["partage--prof.demo--personnel"].search(event=True)]
    assert len(texts) == 2 and all("SUMMARY:Occupé" in text for text in texts)
    assert PUBLIC not in "\n".join(texts)
    with pytest.raises(error.DAVError):  # the place of shared calendars: not for one's own
        phone(live_server, "collegue.demo", PASSWORD).principal().make_calendar(
            name="Le mien", cal_id="partage--prof.demo--personnel")


def test_a_share_ends_at_its_date(client, prof_week, colleague):
    from django.utils import timezone

    share = _share(prof_week, colleague, Level.READ)
    CalendarShare.objects.filter(pk=share.pk).update(ends_at=timezone.now())
    client.force_login(colleague)
    assert PUBLIC not in client.get(WEEK).content.decode()
    assert client.get("/agenda/partage/prof.demo/personnel/evenement/public-1.ics/"
                      ).status_code == 404  # fmt: skip


def test_lists_and_roles_reach_their_people_and_the_share_page_takes_them(
        client, prof_week, colleague):  # fmt: skip
    from accounts.models import User
    from calendar_app import share_access
    from directory.models import DistributionList
    from tests.conftest import make_person

    staff = make_person("gestion.demo", User.Category.ADMIN_STAFF)
    teachers = DistributionList.objects.create(address="profs.0311234y@ac-demo.test",
                                               name="Professeurs")  # fmt: skip
    teachers.members.add(colleague)
    client.force_login(prof_week)
    url = "/agenda/calendriers/personnel/partage/"
    client.post(url, {"kind": "liste", "address": teachers.address, "level": Level.READ})
    assert share_access.level(colleague, prof_week, "personnel") == Level.READ
    assert share_access.level(staff, prof_week, "personnel") == ""
    client.post(url, {"kind": "role", "category": User.Category.ADMIN_STAFF,
                      "level": Level.FREEBUSY})  # fmt: skip
    assert share_access.level(staff, prof_week, "personnel") == Level.FREEBUSY
    assert share_access.level(staff, prof_week, "cours") == ""  # one calendar only
    teachers.members.remove(colleague)  # the list changes: the share follows
    assert share_access.level(colleague, prof_week, "personnel") == ""


def test_the_sharing_pages_are_all_french(prof_week, colleague):
    from django.test import Client

    from tests.catalogues import english_fragments, untranslated

    fragments = english_fragments()
    owner = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    owner.force_login(prof_week)
    url = "/agenda/calendriers/personnel/partage/"
    errors = owner.post(url, {"kind": "role", "level": Level.WRITE, "may_answer": "on",
                              "until": "2001-01-01"}).content.decode()  # fmt: skip
    _share(prof_week, colleague, Level.WRITE, may_answer=True)
    grantee = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    grantee.force_login(colleague)
    pages = {"errors": errors, url: owner.get(url).content.decode()}
    for page in (WEEK, "/agenda/partage/prof.demo/personnel/evenement/public-1.ics/",
                 "/agenda/partage/prof.demo/personnel/evenement/public-1.ics/modifier/",
                 "/agenda/partage/prof.demo/personnel/nouveau/"):  # fmt: skip
        pages[page] = grantee.get(page).content.decode()
    for name, html in pages.items():
        assert 'lang="fr"' in html, name
        english = untranslated(html, fragments)
        assert not english, f"{name} shows English: {sorted(english)}"


def test_a_copy_rebuilt_twice_at_once_is_made_once(prof_week, colleague):
    """A new calendar's copy is rebuilt by the page that made it and by the worker's sync at
    the same time (a functional calendar is read as soon as it exists): both see no copy and
    ask Radicale to make it; the second, refused, finds it made and goes on filling it."""
    _share(prof_week, colleague, Level.READ)

    def rebuild(errors: list) -> None:
        try:
            start.wait(timeout=30)
            mirror.rebuild(prof_week, "personnel")
        except Exception as exc:  # noqa: BLE001 - the test reports whatever stopped a rebuild
            errors.append(exc)
        finally:
            connection.close()

    for _ in range(4):
        with dav_session("prof.demo") as store:
            store.delete_calendar("lecture--personnel")
        start, errors = threading.Barrier(2), []
        threads = [threading.Thread(target=rebuild, args=(errors,)) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert errors == []
    with dav_session("prof.demo") as store:
        assert len(store.all_resources("lecture--personnel")) == 2


def test_a_received_invitation_reaches_the_lecture_copy_without_the_hooks_sync(
        prof_week, colleague):  # fmt: skip
    """The copy's writer does what the hook's sync would (calendar_app.inbox), which then
    has nothing left to do: the filtered copy follows all the same, private stays private."""
    _share(prof_week, colleague, Level.READ)
    organizer = make_person("organisatrice.demo")
    people = (f"ORGANIZER:mailto:{organizer.email}\r\nSEQUENCE:0\r\nCLASS:PRIVATE\r\n"
              f"ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:{prof_week.email}\r\n")  # fmt: skip
    text = vevent("invitation-1", "Entretien confidentiel", datetime(2026, 11, 18, 9),
                  datetime(2026, 11, 18, 10), people)  # fmt: skip
    request = ical.serialize(itip.outgoing(ical.parse(text), "REQUEST", sequence=0)).encode()
    assert inbox.receive(prof_week, organizer.email, request) == "added"
    assert reindex_collection("prof.demo", "personnel") == 0  # nothing left for the hook's task
    with dav_session("prof.demo") as store:
        copies = "\n".join(r.text for r in store.all_resources("lecture--personnel"))
    assert "invitation-1" in copies and "Entretien" not in copies
