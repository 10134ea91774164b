"""«Participants» in the event form: «Inviter» on a directory card opens the form with the
person in it (``?participants=`` repeated); bad addresses are a French error, nothing lost."""

import pytest
from django.urls import reverse

from accounts.models import User
from demo import academie as demo
from tests.agenda_helpers import empty_store  # noqa: F401 - fixture
from tests.test_invitations_sending import _form, next_tuesday

pytestmark = pytest.mark.usefixtures("empty_store")


@pytest.fixture
def signed_in(client, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo.seed_directory()
    client.force_login(User.objects.get(username="prof.demo"))
    return client


def test_invite_on_a_card_opens_the_form_with_the_person(signed_in):
    helene = User.objects.get(username="helene.dupre")
    card = signed_in.get(reverse("directory:person", args=[helene.pk])).content.decode()
    link = "/agenda/evenement/nouveau/?participants=helene.dupre%40ac-demo.test"
    assert f'href="{link}"' in card and "Inviter" in card
    page = signed_in.get(link + "&participants=parent.durand@example.org").content.decode()
    assert "Participants" in page
    assert 'value="helene.dupre@ac-demo.test, parent.durand@example.org"' in page
    assert 'data-fields="id_participants"' in page  # the directory's suggestions


def test_a_wrong_address_is_a_french_error_and_the_typing_is_kept(signed_in):
    signed_in.get("/agenda/semaine/")
    typed = "helene.dupre@ac-demo.test, pas une adresse"
    data = _form("Conseil", next_tuesday(), participants=typed)
    page = signed_in.post("/agenda/evenement/nouveau/", data).content.decode()
    assert "«pas une adresse» n’est pas une adresse électronique." in page
    assert "helene.dupre@ac-demo.test, pas une adresse" in page
