"""The address book and the directory: «Ajouter à mes contacts» and «Inviter» on a person's
card, and one's contacts and groups among the compose suggestions, after the people of one's
own établissement."""

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.models import User
from contacts import services, vcard
from contacts.models import IndexedContact
from dav.carddav import carddav_session
from demo import academie as demo
from directory.suggestions import suggest
from tests.contacts_helpers import empty_store  # noqa: F401 - fixture

pytestmark = pytest.mark.usefixtures("empty_store")


@pytest.fixture
def academie(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo.seed_directory()
    return User.objects.get(username="prof.demo")


def test_a_directory_card_invites_and_adds_to_the_contacts_once(client, academie):
    client.force_login(academie)
    helene = User.objects.get(email=f"helene.dupre@{settings.MAIL_DOMAIN}")
    card = client.get(reverse("directory:person", args=[helene.pk])).content.decode()
    assert f'href="/agenda/evenement/nouveau/?participants=helene.dupre%40{settings.MAIL_DOMAIN}"' \
        in card and "Inviter" in card and "Ajouter à mes contacts" in card
    response = client.post(f"/contacts/annuaire/{helene.pk}/ajouter/")
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Hélène Dupré" in page and "Ajouté à vos contacts." in page
    again = client.post(f"/contacts/annuaire/{helene.pk}/ajouter/", follow=True)
    assert "Déjà parmi vos contacts." in again.content.decode()
    with carddav_session("prof.demo") as store:
        [card] = store.cards("contacts").resources
    text = card.text
    assert f"helene.dupre@{settings.MAIL_DOMAIN}" in text and "FN:Hélène Dupré" in text
    assert client.post("/contacts/annuaire/999999/ajouter/").status_code == 404


def test_contacts_and_groups_come_after_ones_own_etablissement(client, academie):
    services.ensure_books(academie)
    emails = [vcard.Labelled("home", "mathilde@parents.example"),
              vcard.Labelled("work", "m.pe@travail.example")]  # fmt: skip
    services.save(academie, vcard.Contact(given="Mathilde", family="Parent-Élève", emails=emails))
    services.save(academie, vcard.Contact(given="Marc", family="Delegue",
                                          emails=[vcard.Labelled("home", "marc@parents.example")]))
    uids = list(IndexedContact.objects.filter(owner=academie).values_list("uid", flat=True))
    services.save(academie, vcard.Contact(kind=vcard.GROUP, full_name="Maths — parents délégués",
                                          members=uids))  # fmt: skip
    found = suggest(academie, "ma")
    kinds = [s.kind for s in found]
    own = [s for s in found if s.kind == "person" and "Olympe-de-Gouges" in s.detail]
    assert own and kinds[: len(own)] == ["person"] * len(own)
    mine = [s for s in found[len(own):] if s.kind in ("contact", "group")]
    assert [s.kind for s in found[len(own):len(own) + len(mine)]] == [s.kind for s in mine]
    values = [s.value for s in mine]
    assert "Mathilde Parent-Élève <mathilde@parents.example>" in values
    assert "Mathilde Parent-Élève <m.pe@travail.example>" in values
    group = next(s for s in mine if s.kind == "group")
    assert group.value == ("Marc Delegue <marc@parents.example>, "
                           "Mathilde Parent-Élève <mathilde@parents.example>")
    assert group.detail == "Groupe de 2 contacts"
    client.force_login(academie)
    results = client.get(reverse("mail:addresses"), {"q": "maths parents"}).json()["results"]
    assert [r["label"] for r in results] == ["Maths — parents délégués"]
