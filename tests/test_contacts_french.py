"""Every address book page in French: rendered signed in from a browser asking for English,
their text compared with every msgid of the catalogues whose French differs."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from contacts.models import ContactImport, IndexedContact
from tests.catalogues import english_fragments, untranslated
from tests.contacts_helpers import empty_store  # noqa: F401 - fixture

pytestmark = pytest.mark.usefixtures("empty_store")


def test_address_book_pages_are_all_french(prof):
    fragments = english_fragments()
    client = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    client.force_login(prof)
    for family in ("Dupré", "Dupre"):
        client.post("/contacts/nouveau/", {"given": "Hélène", "family": family,
                                           "email_0": "helene@example.org"})  # fmt: skip
    uid = IndexedContact.objects.filter(book="contacts").first().uid
    client.post("/contacts/groupes/nouveau/", {"name": "Parents", "members": [uid]})
    card = IndexedContact.objects.filter(book="contacts", is_group=False).first().href
    group = IndexedContact.objects.get(is_group=True).href
    client.post("/contacts/importer/", {"file": SimpleUploadedFile(
        "a.csv", b"First Name,Last Name,E-mail Address\nA,B,a@example.org\n")})  # fmt: skip
    imp = ContactImport.objects.get()
    for url in ("/contacts/", "/contacts/?q=zzz", "/contacts/groupes/", "/contacts/collectees/",
                "/contacts/nouveau/", "/contacts/groupes/nouveau/", "/contacts/doublons/",
                f"/contacts/contacts/{card}/", f"/contacts/contacts/{card}/modifier/",
                f"/contacts/contacts/{card}/supprimer/", f"/contacts/contacts/{group}/",
                f"/contacts/contacts/{group}/modifier/", "/contacts/importer/",
                f"/contacts/importer/{imp.pk}/", f"/contacts/importer/{imp.pk}/suivi/",
                "/compte/messagerie-mobile/"):  # fmt: skip
        response = client.get(url, follow=True)
        html = response.content.decode()
        assert 'lang="fr"' in html, url
        english = untranslated(html, fragments)
        assert not english, f"{url} shows English: {sorted(english)}"
