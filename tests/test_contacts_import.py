"""Importing into «Contacts» and exporting: vCards 3.0 and 4.0 (folded lines, photos, unknown
properties kept), CSV from Outlook (Windows-1252, «;»), Gmail (UTF-8 with BOM) and Thunderbird,
a column mapping with a preview, a French report row by row, duplicates updated not doubled,
50,000 rows read at once and imported by the worker in chunks (whole-book writes: see
test_contacts_bulk_import.py)."""

import re
import shutil
import time
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from contacts import importing
from contacts.models import ContactImport, IndexedContact
from dav.carddav import carddav_session
from mail.models import KeptUpload
from tests.conftest import wait_for
from tests.contacts_helpers import empty_store  # noqa: F401 - fixture

pytestmark = pytest.mark.usefixtures("empty_store")
PHOTO = "PHOTO;ENCODING=b;TYPE=JPEG:" + "QUJD" * 30
VCARDS = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:import-helene\r\nFN:Hélène Dupré\r\nN:Dupré;Hélène;;;\r\n"
    "EMAIL;TYPE=INTERNET:helene.dupre@example.org\r\nNOTE:Une note assez longue pour être pliée"
    " sur deux lignes\r\n  comme le font les téléphones\r\n" + PHOTO + "\r\n"
    "X-CUSTOM-THING;X-A=1:gardé\r\nEND:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Marc Petit\r\nN:Petit;Marc;;;\r\n"
    "EMAIL;TYPE=work;PREF=1:marc.petit@example.org\r\nTEL;VALUE=uri;TYPE=cell:tel:+33-6-11-22-33-44"
    "\r\nEND:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:3.0\r\nthis line is not a property\r\nEND:VCARD\r\n"
)
OUTLOOK = ("Prénom;Nom;Société;Adresse de messagerie;Tél. mobile;Rue (domicile);"
           "Ville (domicile);Code postal (domicile);Notes\r\n"
           "Amélie;Lefèvre;Mairie de Muret;amelie.lefevre@example.org;06 01 02 03 04;"
           "2 allée des Pins;Muret;31600;Élue à l'éducation\r\n"
           "Jean;Sans-Adresse;;pas-une-adresse;;;;;\r\n"
           "Hélène;Dupré;;helene.dupre@example.org;07 00 00 00 00;;;;\r\n")  # fmt: skip
GMAIL = ("First Name,Last Name,E-mail 1 - Value,Phone 1 - Value,Organization Name\n"
         "Zoé,Œuvray,zoe.oeuvray@example.org,+33 5 00 00 00 00,Lycée Déodat\n")  # fmt: skip
THUNDERBIRD = ("First Name,Last Name,Display Name,Nickname,Primary Email,Secondary Email,"
               "Work Phone,Home Phone,Mobile Number,Notes\n"
               "Paul,Durand,Paul Durand,,paul@example.org,p.durand@example.org,05 1,,06 2,\n")


@pytest.fixture
def signed_in(client, prof):
    client.force_login(prof)
    return client


def _upload(client, name: str, data: bytes):
    return client.post("/contacts/importer/", {"file": SimpleUploadedFile(name, data)})


def _import(client, name, data) -> ContactImport:
    response = _upload(client, name, data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    preview = client.get(response["Location"])
    assert preview.status_code == 200
    imp = ContactImport.objects.latest("pk")
    # A CSV: the columns as the page proposes them.
    client.post(response["Location"], {f"column-{i}": m for i, m in enumerate(imp.mapping)})
    wait_for(lambda: ContactImport.objects.get(pk=imp.pk).status == "done", timeout=60)
    return ContactImport.objects.get(pk=imp.pk)


def _card(login, name) -> str:
    """The card as stored, unfolded (Radicale writes it again in its own way)."""
    with carddav_session(login) as store:
        texts = [re.sub(r"\r?\n[ \t]", "", r.text) for r in store.cards("contacts").resources]
    return next(text for text in texts if f"FN:{name}" in text)


def test_vcards_are_imported_whole_and_a_second_import_updates(signed_in, worker):
    imp = _import(signed_in, "contacts.vcf", VCARDS.encode())
    assert (imp.created, imp.updated) == (2, 0)
    assert [line for line, _why in imp.problems] == [19]  # the broken card, by its line
    page = signed_in.get(f"/contacts/importer/{imp.pk}/suivi/").content.decode()
    assert "Import terminé : 2 créés, 0 mis à jour, 1 non importés." in page
    assert "pas un contact lisible" in page
    card = _card("prof.demo", "Hélène Dupré")
    assert "X-CUSTOM-THING;X-A=1:gardé" in card and "QUJD" * 30 in card
    assert "pliée sur deux lignes comme le font les téléphones" in card
    assert "tel:+33-6-11-22-33-44" in _card("prof.demo", "Marc Petit")

    again = _import(signed_in, "contacts.vcf", VCARDS.encode())
    assert (again.created, again.updated) == (0, 2)
    assert IndexedContact.objects.filter(book="contacts").count() == 2


def test_a_preview_on_one_web_node_is_imported_by_a_worker_on_another(
        signed_in, worker, settings, tmp_path):  # fmt: skip
    settings.VAR_DIR = tmp_path / "node-a"  # the upload on one web node…
    response = _upload(signed_in, "contacts.vcf", VCARDS.encode())
    shutil.rmtree(settings.VAR_DIR, ignore_errors=True)
    settings.VAR_DIR = tmp_path / "node-b"  # …the preview on another; the worker has its own
    assert "Hélène Dupré" in signed_in.get(response["Location"]).content.decode()
    signed_in.post(response["Location"])
    imp = ContactImport.objects.latest("pk")
    wait_for(lambda: ContactImport.objects.get(pk=imp.pk).status == "done", timeout=60)
    imp.refresh_from_db()
    assert (imp.created, imp.updated, imp.upload) == (2, 0, None)
    assert not KeptUpload.objects.exists()  # the file is not kept once imported


def test_a_preview_left_for_a_day_must_be_uploaded_again(signed_in):
    response = _upload(signed_in, "contacts.vcf", VCARDS.encode())
    imp = ContactImport.objects.get()
    KeptUpload.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    for page in (signed_in.get(response["Location"], follow=True),
                 signed_in.post(response["Location"], follow=True)):  # fmt: skip
        assert page.redirect_chain[-1][0] == "/contacts/importer/"
        assert "Cet import a expiré : choisissez de nouveau le fichier." in page.content.decode()
    assert ContactImport.objects.get(pk=imp.pk).status == "preview"


def test_an_outlook_csv_in_windows_1252_with_its_mapping_and_report(signed_in, worker):
    signed_in.post("/contacts/nouveau/", {"given": "Hélène", "family": "Dupré",
                                          "email_0": "helene.dupre@example.org"})  # fmt: skip
    response = _upload(signed_in, "outlook.csv", OUTLOOK.encode("cp1252"))
    page = signed_in.get(response["Location"]).content.decode()
    assert "3 contacts trouvés (lus en Windows-1252)" in page
    assert '<option value="given" selected>Prénom</option>' in page
    assert "Mairie de Muret" in page  # the first rows beside each column
    imp = ContactImport.objects.latest("pk")
    assert imp.mapping == ["given", "family", "organisation", "email", "phone_cell", "street",
                           "city", "postcode", "note"]  # fmt: skip
    signed_in.post(response["Location"], {f"column-{i}": m for i, m in enumerate(imp.mapping)})
    wait_for(lambda: ContactImport.objects.get(pk=imp.pk).status == "done", timeout=60)
    imp.refresh_from_db()
    assert (imp.created, imp.updated) == (1, 1)  # Hélène was there already: updated
    assert imp.problems == [[3, "«\u00a0pas-une-adresse\u00a0» n’est pas une adresse électronique"]]
    card = _card("prof.demo", "Amélie Lefèvre")
    assert "ORG:Mairie de Muret" in card and "ADR;TYPE=HOME:;;2 allée des Pins;Muret;;31600;" \
        in card and "TEL;TYPE=CELL:06 01 02 03 04" in card
    helene = _card("prof.demo", "Hélène Dupré")
    assert "07 00 00 00 00" in helene
    assert IndexedContact.objects.filter(book="contacts", name="Hélène Dupré").count() == 1


@pytest.mark.parametrize("name, data, who, detail", [
    ("gmail.csv", b"\xef\xbb\xbf" + GMAIL.encode(), "Zoé Œuvray", "ORG:Lycée Déodat"),
    ("thunderbird.csv", THUNDERBIRD.encode(), "Paul Durand", "p.durand@example.org"),
])  # fmt: skip
def test_gmail_and_thunderbird_csv(signed_in, worker, name, data, who, detail):
    imp = _import(signed_in, name, data)
    assert imp.created == 1 and not imp.problems
    assert detail in _card("prof.demo", who)


def test_files_that_are_not_address_books_are_refused_in_french(signed_in):
    for name, data in [("photo.png", b"\x89PNG\r\n\x1a\n\x00\x00"), ("vide.csv", b""),
                       ("texte.txt", b"Bonjour,\nceci n'est pas un carnet")]:
        response = _upload(signed_in, name, data)
        assert response.status_code == 200
        assert "Rien n’a été importé" in response.content.decode()
    assert not ContactImport.objects.exists()


def test_fifty_thousand_rows_are_read_at_once_and_imported_in_chunks(signed_in, prof):
    rows = "".join(f"Prénom{i},Nom{i},personne{i}@example.org\n" for i in range(50_000))
    started = time.monotonic()
    response = _upload(signed_in, "grand.csv", ("First Name,Last Name,E-mail Address\n" + rows)
                       .encode())  # fmt: skip
    page = signed_in.get(response["Location"]).content.decode()
    assert time.monotonic() - started < 20  # the page never waits for the import itself
    assert "50\u202f000 contacts trouvés" in page or "50000 contacts trouvés" in page
    imp = ContactImport.objects.get()
    imp.status = ContactImport.Status.RUNNING  # as confirm() does, without queuing the worker
    imp.save()
    assert importing.run_chunk(imp.pk) is True  # one chunk, and more to come
    imp.refresh_from_db()
    first = importing.BULK_FIRST
    assert (imp.done, imp.created, imp.status) == (first, first, "running")
    status = signed_in.get(f"/contacts/importer/{imp.pk}/suivi/").content.decode()
    assert f"{first} lignes traitées sur 50000" in status.replace("\u202f", "")
    importing.run_chunk(imp.pk)  # twice as many rows as the book holds
    imp.refresh_from_db()
    assert imp.done == imp.created == 3 * first
    listing = signed_in.get("/contacts/").content.decode()
    assert "Seuls les 500 premiers sont affichés" in listing
    last = f"personne{3 * first - 1}@example.org"
    assert last in signed_in.get(f"/contacts/?q={last}").content.decode()


def test_export_as_vcard_and_csv_and_the_csv_reads_back(signed_in, worker):
    _import(signed_in, "contacts.vcf", VCARDS.encode())
    vcf = signed_in.get("/contacts/exporter/contacts.vcf")
    assert vcf["Content-Type"].startswith("text/vcard")
    assert vcf.content.decode().count("BEGIN:VCARD") == 2 and b"X-CUSTOM-THING" in vcf.content
    exported = signed_in.get("/contacts/exporter/contacts.csv").content
    assert exported.startswith(b"\xef\xbb\xbf")
    text = exported.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Prénom,Nom,Nom complet,Société")
    assert "Hélène,Dupré,Hélène Dupré,,helene.dupre@example.org" in text
    imp = _import(signed_in, "contacts.csv", exported)
    assert (imp.created, imp.updated) == (0, 2)


def test_a_formula_never_leaves_in_the_csv(signed_in):
    signed_in.post("/contacts/nouveau/", {"given": "=HYPERLINK(\"http://x\")", "family": "Piège",
                                          "phone_0": "+33 6 12 34 56 78"})  # fmt: skip
    text = signed_in.get("/contacts/exporter/contacts.csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and ",+33 6 12 34 56 78," in text
