"""The personal address book on the real Radicale: what the web writes a phone reads and the
reverse (with what the web does not edit kept: photos, unknown properties), groups in both
forms clients read, «Écrire au groupe», collected addresses, merging duplicates, conflicts."""

import uuid
from urllib.parse import parse_qs, urlparse

import pytest

from contacts import collected, services
from contacts.models import IndexedContact
from dav.carddav import carddav_session
from tests.conftest import PASSWORD, wait_for
from tests.contacts_helpers import empty_store, phone_book, vcard3  # noqa: F401 - fixture

pytestmark = pytest.mark.usefixtures("empty_store")
PHOTO = "PHOTO;ENCODING=b;TYPE=JPEG:" + "QUJD" * 40 + "\r\n"


@pytest.fixture
def signed_in(client, prof):
    client.force_login(prof)
    return client


def _contact(**overrides) -> dict:
    data = {
        "given": "Hélène", "family": "Dupré", "organisation": "Collège Jean-Jaurès",
        "email_0": "helene.dupre@example.org", "email_label_0": "work",
        "email_1": "helene@maison.example", "email_label_1": "home", "email_2": "",
        "phone_0": "06 12 34 56 78", "phone_label_0": "cell", "phone_1": "05 61 00 00 00",
        "phone_label_1": "work", "street_0": "3 rue des Lilas", "postcode_0": "31000",
        "city_0": "Toulouse", "country_0": "France", "note": "Parent délégué, 2nde 3",
    }  # fmt: skip
    data.update(overrides)
    return data


def _create(client, **overrides) -> str:
    response = client.post("/contacts/nouveau/", _contact(**overrides))
    assert response.status_code == 302, response.content.decode()[:2000]
    return response["Location"]


def test_first_visit_creates_the_two_address_books(signed_in):
    page = signed_in.get("/contacts/").content.decode()
    assert "Mes contacts" in page and "Aucun contact pour l’instant." in page
    with carddav_session("prof.demo") as store:
        names = {b.name for b in store.address_books()}
    assert {"collectees", "contacts"} <= names  # (the staff book comes from the worker)


def test_a_contact_from_the_web_is_on_the_phone_with_all_its_addresses(signed_in, live_server):
    location = _create(signed_in)
    page = signed_in.get(location).content.decode()
    assert "helene@maison.example" in page and "3 rue des Lilas, 31000 Toulouse, France" in page
    book = phone_book(live_server, "prof.demo", PASSWORD)
    [href] = book.hrefs()
    card = book.get(href)
    assert "VERSION:3.0" in card and "FN:Hélène Dupré" in card
    assert "EMAIL;TYPE=INTERNET,WORK:helene.dupre@example.org" in card
    assert "TEL;TYPE=CELL:06 12 34 56 78" in card and "ADR;TYPE=HOME:;;3 rue des Lilas" in card
    listing = signed_in.get("/contacts/?q=helene dup").content.decode()
    assert "Hélène Dupré" in listing
    assert "Hélène Dupré" not in signed_in.get("/contacts/?q=martin").content.decode()


def test_a_phones_card_shows_on_the_web_and_keeps_its_photo_and_own_properties(
    signed_in, live_server, prof, worker
):
    book = phone_book(live_server, "prof.demo", PASSWORD)
    signed_in.get("/contacts/")  # the books exist
    uid = str(uuid.uuid4())
    text = vcard3(uid, "Paul Durand", "paul.durand@example.org",
                  PHOTO + "X-PHONE-SPECIFIC;X-A=1:gardé tel quel\r\nBDAY:1980-02-03\r\n")
    assert book.put(f"{uid}.vcf", text) == 201
    # The hook queued the worker, which indexed the phone's card.
    wait_for(lambda: IndexedContact.objects.filter(owner=prof, name="Paul Durand").exists())
    page = signed_in.get("/contacts/").content.decode()
    assert "Paul Durand" in page and "paul.durand@example.org" in page

    response = signed_in.post(f"/contacts/contacts/{uid}.vcf/modifier/", _contact(
        given="Paul", family="Durand", email_0="paul.durand@example.org", email_1="",
        organisation="", phone_1="", street_0="", postcode_0="", city_0="", country_0="",
        note=""))  # fmt: skip
    assert response.status_code == 302
    card = book.get(f"{uid}.vcf")
    assert "TEL;TYPE=CELL:06 12 34 56 78" in card
    assert "X-PHONE-SPECIFIC;X-A=1:gardé tel quel" in card and "BDAY:1980-02-03" in card
    assert "QUJD" * 10 in card.replace("\r\n ", "")  # the photo, byte for byte
    assert f"UID:{uid}" in card

    assert book.delete(f"{uid}.vcf") in (200, 204)
    wait_for(lambda: not IndexedContact.objects.filter(owner=prof, uid=uid).exists())
    assert "Paul Durand" not in signed_in.get("/contacts/").content.decode()


def test_a_group_in_both_forms_and_writing_to_it(signed_in, live_server):
    _create(signed_in)
    _create(signed_in, given="Marc", family="Petit", email_0="marc.petit@example.org",
            email_1="")  # fmt: skip
    rows = {r.name: r.uid for r in IndexedContact.objects.filter(book="contacts")}
    response = signed_in.post("/contacts/groupes/nouveau/", {
        "name": "2nde 3 — parents délégués", "note": "",
        "members": [rows["Hélène Dupré"], rows["Marc Petit"]]})  # fmt: skip
    assert response.status_code == 302
    page = signed_in.get(response["Location"]).content.decode()
    assert "Marc Petit" in page and "Écrire au groupe" in page
    group = IndexedContact.objects.get(is_group=True)
    card = phone_book(live_server, "prof.demo", PASSWORD).get(group.href)
    assert "X-ADDRESSBOOKSERVER-KIND:group" in card and "KIND:group" in card
    for uid in rows.values():
        assert f"X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:{uid}" in card
        assert f"MEMBER:urn:uuid:{uid}" in card
    assert "2nde 3 — parents délégués" in signed_in.get("/contacts/groupes/").content.decode()

    stored = services.find(_prof(), "contacts", group.href)
    write = signed_in.get(f"/contacts/contacts/{group.href}/").context["write_url"]
    to = parse_qs(urlparse(write).query)["a"][0]
    assert to == "Hélène Dupré <helene.dupre@example.org>, Marc Petit <marc.petit@example.org>"
    assert stored.contact.kind == "group"


def _prof():
    from accounts.models import User

    return User.objects.get(username="prof.demo")


@pytest.mark.parametrize("version, kind, member_property", [
    ("3.0", "X-ADDRESSBOOKSERVER-KIND", "X-ADDRESSBOOKSERVER-MEMBER"),  # Apple Contacts
    ("4.0", "KIND", "MEMBER"),  # vCard 4 (DAVx⁵'s other mode)
])  # fmt: skip
def test_a_group_made_on_a_phone_is_a_group_on_the_web(signed_in, live_server, prof, version,
                                                       kind, member_property):
    signed_in.get("/contacts/")
    book = phone_book(live_server, "prof.demo", PASSWORD)
    member = str(uuid.uuid4())
    book.put(f"{member}.vcf", vcard3(member, "Anne Leroy", "anne.leroy@example.org"))
    group = str(uuid.uuid4())
    book.put(f"{group}.vcf", f"BEGIN:VCARD\r\nVERSION:{version}\r\nUID:{group}\r\nFN:Équipe "
             f"de maths\r\nN:Équipe de maths;;;;\r\n{kind}:group\r\n"
             f"{member_property}:urn:uuid:{member}\r\nEND:VCARD\r\n")  # fmt: skip
    page = signed_in.get("/contacts/groupes/").content.decode()
    assert "Équipe de maths" in page and "1 membre" in page
    card = signed_in.get(f"/contacts/contacts/{group}.vcf/").content.decode()
    assert "Anne Leroy" in card


def test_collected_addresses_are_kept_apart_and_can_become_contacts(signed_in, prof):
    _create(signed_in)
    added = collected.collect(prof.pk, ["Helene <helene.dupre@example.org>",
                                        "Jean Valjean <jean.valjean@example.org>", "prof.demo@"
                                        f"{prof.email.split('@')[1]}"])  # fmt: skip
    assert added == 1  # a contact already, and oneself, are not collected
    assert collected.collect(prof.pk, ["jean.valjean@example.org"]) == 0  # never twice
    assert "Jean Valjean" not in signed_in.get("/contacts/").content.decode()
    page = signed_in.get("/contacts/collectees/").content.decode()
    assert "Jean Valjean" in page
    row = IndexedContact.objects.get(book="collectees")
    response = signed_in.post(f"/contacts/collectees/{row.href}/garder/")
    assert response.status_code == 302
    assert "Jean Valjean" in signed_in.get("/contacts/").content.decode()
    assert not IndexedContact.objects.filter(book="collectees").exists()


def test_merging_duplicates_keeps_everything_and_the_groups(signed_in):
    _create(signed_in)
    _create(signed_in, given="Helene", family="DUPRE", email_1="", phone_0="06 99 99 99 99",
            phone_1="", email_0="helene.dupre@example.org", note="Vue en réunion")  # fmt: skip
    rows = list(IndexedContact.objects.filter(book="contacts").order_by("name"))
    signed_in.post("/contacts/groupes/nouveau/", {"name": "Parents", "members": [rows[1].uid]})
    page = signed_in.get("/contacts/doublons/").content.decode()
    assert "Doublons possibles" in page
    response = signed_in.post("/contacts/doublons/", {"href": [rows[0].href, rows[1].href]})
    assert response.status_code == 302
    [kept] = IndexedContact.objects.filter(book="contacts", is_group=False)
    assert sorted(kept.phones) == ["05 61 00 00 00", "06 12 34 56 78", "06 99 99 99 99"]
    assert kept.emails.count("helene.dupre@example.org") == 1
    group = IndexedContact.objects.get(is_group=True)
    assert group.members == [kept.uid]
    card = services.find(_prof(), "contacts", kept.href).contact
    assert "Parent délégué" in card.note and "Vue en réunion" in card.note


def test_an_edit_racing_a_phones_change_saves_nothing_and_says_so(signed_in, live_server):
    location = _create(signed_in)
    href = location.rstrip("/").rsplit("/", 1)[-1]
    form = signed_in.get(f"/contacts/contacts/{href}/modifier/")
    etag = form.context["stored"].etag
    book = phone_book(live_server, "prof.demo", PASSWORD)
    book.put(href, book.get(href).replace("Collège Jean-Jaurès", "Lycée Bellevue"))
    response = signed_in.post(f"/contacts/contacts/{href}/modifier/",
                              _contact(etag=etag, note="Changé sur le web"))  # fmt: skip
    assert response.status_code == 409
    assert "modifié ailleurs" in response.content.decode()
    assert "Lycée Bellevue" in book.get(href)


def test_bad_input_and_other_paths(signed_in):
    response = signed_in.post("/contacts/nouveau/", _contact(given="", family="", email_0="",
                                                             email_1="pas une adresse",
                                                             organisation=""))  # fmt: skip
    assert response.status_code == 200
    page = response.content.decode()
    assert "Saisissez une adresse de courriel valide" in page
    assert signed_in.get("/contacts/contacts/inconnu.vcf/").status_code == 404
    assert signed_in.get("/contacts/calendrier/x.vcf/").status_code == 404


def test_the_store_down_is_a_french_page(signed_in, radicale):
    radicale.stop()
    try:
        response = signed_in.get("/contacts/")
        assert response.status_code == 503
        assert "Le carnet d’adresses est indisponible" in response.content.decode()
    finally:
        radicale.start()


def test_the_people_one_writes_to_are_collected_by_the_worker(signed_in, prof, worker):
    from django.db import transaction

    from mail.models import Mailbox
    from mail.outgoing.compose import Composition
    from mail.signals import message_queued

    signed_in.get("/contacts/")
    composition = Composition(sender_name="Camille Martin", sender_address=prof.email,
                              to=["Jeanne Parent <jeanne.parent@example.org>"], subject="Sortie",
                              body="Bonjour", cc=["cdi@example.org"])  # fmt: skip
    with transaction.atomic():  # as sending does: the task is queued once the message is
        message_queued.send(sender=None, user=prof, mailbox=Mailbox.objects.get(owner=prof),
                            composition=composition, message_id="<x@test>")  # fmt: skip
    wait_for(lambda: IndexedContact.objects.filter(owner=prof, book="collectees").count() == 2)
    assert "Jeanne Parent" in signed_in.get("/contacts/collectees/").content.decode()


def test_reading_a_card_back_leaves_no_warning_in_the_log(signed_in, caplog):
    # The caldav library warned of a «deviation» on every text/vcard answer: log noise for
    # every address-book read in production.
    location = _create(signed_in)
    caplog.clear()
    assert "Hélène Dupré" in signed_in.get(location).content.decode()
    assert signed_in.get(f"{location}modifier/").status_code == 200
    assert not [r.getMessage() for r in caplog.records if r.name.startswith("caldav")]
