"""Rooms managed by an établissement's own administrative staff (those who manage its
functional mailboxes), on the web: create, edit, deactivate; nobody else may. The rooms of a
person's other établissements are listed with those of their main one."""

import pytest

from accounts.models import User
from calendar_app import rooms
from calendar_app.models import Room, RoomBooking
from dav.client import dav_session
from directory.models import Etablissement
from tests.agenda_helpers import empty_store  # noqa: F401 - fixture
from tests.conftest import make_person
from tests.invitation_helpers import next_tuesday
from tests.test_rooms import request

pytestmark = pytest.mark.usefixtures("empty_store")


@pytest.fixture
def secretary(prof):
    return make_person("secretariat.demo", category=User.Category.ADMIN_STAFF,
                       first_name="Nadia", last_name="Roux")  # fmt: skip


def test_admin_staff_create_edit_and_deactivate_their_rooms(client, secretary, prof, colleague):
    client.force_login(secretary)
    page = client.get("/agenda/salles/gestion/").content.decode()
    assert "Gérer les salles" in page and "Lycée Pierre-de-Fermat (0311234Y)" in page
    assert "Aucune salle ni aucun équipement" in page
    form = client.get("/agenda/salles/gestion/0311234Y/nouvelle/").content.decode()
    assert "Camille Martin (prof.demo@ac-demo.test)" in form  # managers: the staff
    # Approval without a manager: refused, in French, nothing created.
    response = client.post("/agenda/salles/gestion/0311234Y/nouvelle/", {
        "name": "Salle informatique", "kind": "room", "capacity": "30",
        "policy": "approval", "active": "on"})  # fmt: skip
    assert response.status_code == 200
    assert "au moins un gestionnaire" in response.content.decode()
    assert not Room.objects.exists()
    response = client.post("/agenda/salles/gestion/0311234Y/nouvelle/", {
        "name": "  Salle   informatique ", "kind": "room", "capacity": "30",
        "policy": "approval", "managers": [colleague.id], "active": "on"})  # fmt: skip
    assert response.status_code == 302
    room = Room.objects.get()
    assert room.email == "salle-informatique.0311234y@ac-demo.test"
    assert room.name == "Salle informatique" and list(room.managers.all()) == [colleague]
    # A second with the same name gets its own address; equipment has no seats.
    client.post("/agenda/salles/gestion/0311234Y/nouvelle/", {
        "name": "Salle informatique", "kind": "equipment", "capacity": "",
        "policy": "automatic", "active": "on"})  # fmt: skip
    second = Room.objects.exclude(id=room.id).get()
    assert second.email == "salle-informatique.0311234y-2@ac-demo.test"
    assert second.capacity == 0 and second.kind == "equipment"
    # Bookable: a teacher books the automatic one; deactivated: declined, in French.
    start = next_tuesday(9).replace(tzinfo=None)
    assert rooms.book(second.id, prof.id, request(prof, second, start)) == "ACCEPTED"
    response = client.post(f"/agenda/salles/gestion/salle/{second.id}/", {
        "name": "Vidéoprojecteur", "kind": "equipment", "capacity": "0",
        "policy": "automatic"})  # fmt: skip
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.name == "Vidéoprojecteur" and not second.active
    assert second.email == "salle-informatique.0311234y-2@ac-demo.test"  # never changes
    with dav_session(rooms.principal_of(second.etablissement)) as store:
        names = {c.name: c.display_name for c in store.calendars()}
    assert names[second.calendar] == "Vidéoprojecteur"  # as the staff's phones show it
    later = start.replace(hour=14)
    assert rooms.book(second.id, prof.id, request(prof, second, later)) == "DECLINED"
    assert RoomBooking.objects.get(room=second, status="DECLINED").reason == (
        "Vidéoprojecteur n’est plus réservable.")
    listing = client.get("/agenda/salles/gestion/").content.decode()
    assert "non réservable" in listing
    client.force_login(prof)
    free = client.get("/agenda/salles/").content.decode()
    assert "Salle informatique" in free and "Vidéoprojecteur" not in free


def test_only_administrators_of_the_room_manage_it(client, secretary, prof):
    room = rooms.create_room(Etablissement.objects.get(uai="0311234Y"), "CDI",
                             "cdi.0311234y@ac-demo.test", capacity=40)  # fmt: skip
    client.force_login(prof)  # a teacher
    assert client.get("/agenda/salles/gestion/").status_code == 404
    assert client.get("/agenda/salles/gestion/0311234Y/nouvelle/").status_code == 404
    assert client.post(f"/agenda/salles/gestion/salle/{room.id}/", {
        "name": "Pris", "kind": "room", "capacity": "1", "policy": "automatic"}).status_code == 404
    other = Etablissement.objects.create(uai="0310001A", name="Collège Voisin", kind="college")
    neighbour = make_person("secretariat.voisin", category=User.Category.ADMIN_STAFF)
    neighbour.etablissement = other
    neighbour.save()
    client.force_login(neighbour)  # administrative staff, of another établissement
    assert client.get(f"/agenda/salles/gestion/salle/{room.id}/").status_code == 404
    assert client.get("/agenda/salles/gestion/0311234Y/nouvelle/").status_code == 404
    assert "CDI" not in client.get("/agenda/salles/gestion/").content.decode()
    support = make_person("support.demo", category=User.Category.IT_SUPPORT)
    client.force_login(support)  # IT support: any établissement, by its UAI
    page = client.get("/agenda/salles/gestion/?uai=0310001a").content.decode()
    assert "Collège Voisin (0310001A)" in page
    assert client.get(f"/agenda/salles/gestion/salle/{room.id}/").status_code == 200
    room.refresh_from_db()
    assert room.name == "CDI"


def test_the_rooms_of_ones_other_etablissements_are_listed(client, prof):
    other = Etablissement.objects.create(uai="0310002B", name="Collège Jean-Jaurès",
                                         kind="college")  # fmt: skip
    here = rooms.create_room(prof.etablissement, "CDI", "cdi.0311234y@ac-demo.test")
    there = rooms.create_room(other, "Gymnase", "gymnase.0310002b@ac-demo.test", capacity=200)
    elsewhere = Etablissement.objects.create(uai="0310003C", name="Lycée Ailleurs", kind="lycee")
    rooms.create_room(elsewhere, "Amphithéâtre", "amphi.0310003c@ac-demo.test")
    client.force_login(prof)
    assert "Gymnase" not in client.get("/agenda/salles/").content.decode()
    prof.directory_entry.etablissements.add(other)  # teaches in a second établissement
    page = client.get("/agenda/salles/").content.decode()
    assert "Gymnase</a> (Collège Jean-Jaurès)" in page and "CDI</a> (Lycée" in page
    assert page.index("CDI") < page.index("Gymnase")  # the main établissement first
    assert "Amphithéâtre" not in page
    assert client.get(f"/agenda/salles/{there.id}/").status_code == 200
    assert client.get(f"/agenda/salles/{here.id}/").status_code == 200
    far = Room.objects.get(name="Amphithéâtre")
    assert client.get(f"/agenda/salles/{far.id}/").status_code == 404


def test_the_management_pages_are_french(secretary):
    from django.test import Client

    from tests.catalogues import english_fragments, untranslated

    room = rooms.create_room(secretary.etablissement, "CDI", "cdi.0311234y@ac-demo.test")
    client = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    client.force_login(secretary)
    fragments = english_fragments()
    for url in ("/agenda/salles/", "/agenda/salles/gestion/",
                "/agenda/salles/gestion/0311234Y/nouvelle/",
                f"/agenda/salles/gestion/salle/{room.id}/"):  # fmt: skip
        html = client.get(url).content.decode()
        assert 'lang="fr"' in html, url
        assert not untranslated(html, fragments), url
