"""The «Annuaire» pages through Django's test client: search with filters, the results alone for
the page's script, a person's card, an établissement's card; only for signed-in staff, and
nothing the académie does not publish."""

from datetime import date

import pytest
from django.urls import reverse

from accounts.models import User
from demo import academie as demo
from directory.models import DistributionList, Etablissement, Function
from mail.models import Mailbox

pytestmark = pytest.mark.django_db


@pytest.fixture
def academie(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo.seed_directory()


@pytest.fixture
def signed_in(client, academie):
    client.force_login(User.objects.get(username="prof.demo"))
    return client


def test_only_signed_in_people_see_the_directory(client, academie):
    for url in (reverse("directory:search"), reverse("directory:results"),
                reverse("directory:etablissement", args=["0311234Y"])):
        response = client.get(url, {"q": "helene"})
        assert response.status_code == 302 and "/comptes/login/" in response["Location"]


def test_search_finds_a_name_without_accents(signed_in):
    response = signed_in.get(reverse("directory:search"), {"q": "helene dup"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Annuaire de l&#x27;académie" in page or "Annuaire de l'académie" in page
    assert "Hélène Dupré" in page and "1 personne trouvée" in page
    assert "helene.dupre@ac-demo.test" in page
    assert "Chef d&#x27;établissement" in page or "Chef d'établissement" in page


def test_filters_alone_list_an_etablissements_staff(signed_in):
    college = Etablissement.objects.get(uai="0315678D")
    principal = Function.objects.get(name="Chef d'établissement")
    response = signed_in.get(
        reverse("directory:results"), {"etablissement": college.pk, "function": principal.pk}
    )
    page = response.content.decode()
    assert "Patrick Sanchez" in page and "Hélène Dupré" not in page
    assert "<html" not in page  # the results alone


def test_a_uai_in_lower_case_lists_the_etablissement_and_its_people(signed_in):
    page = signed_in.get(reverse("directory:search"), {"q": "0315678d"}).content.decode()
    assert reverse("directory:etablissement", args=["0315678D"]) in page
    assert "Patrick Sanchez" in page and "Julien Vidal" in page


def test_bad_filter_values_are_ignored_not_a_500(signed_in):
    response = signed_in.get(reverse("directory:search"), {"q": "x" * 500, "discipline": "abc"})
    assert response.status_code == 200


def test_a_persons_card_shows_what_the_academie_publishes_and_nothing_else(signed_in):
    prof = User.objects.get(username="prof.demo")
    assert prof.numen_hash and prof.birth_date and prof.recovery_email
    helene = User.objects.get(username="helene.dupre")
    helene.birth_date, helene.recovery_email = date(1975, 5, 4), "helene@perso.example"
    helene.save()
    entry = helene.directory_entry
    page = signed_in.get(reverse("directory:person", args=[helene.pk])).content.decode()
    assert "<h1>Hélène Dupré</h1>" in page
    assert "Lycée Olympe-de-Gouges" in page and entry.phone in page
    assert "?a=H%C3%A9l%C3%A8ne+Dupr%C3%A9+%3Chelene.dupre%40ac-demo.test%3E" in page
    for secret in ("perso.example", "1975", "04/05", "numen", "NUMEN"):
        assert secret not in page
    own = signed_in.get(reverse("directory:person", args=[prof.pk])).content.decode()
    assert "31E2026001PRF" not in own and prof.numen_hash not in own and "1984" not in own


def test_write_opens_compose_with_the_recipient(signed_in):
    helene = "Hélène Dupré <helene.dupre@ac-demo.test>"
    response = signed_in.get(reverse("mail:compose"), {"a": helene})
    assert "Hélène Dupré &lt;helene.dupre@ac-demo.test&gt;" in response.content.decode()


def test_people_who_left_have_no_card(signed_in):
    helene = User.objects.get(username="helene.dupre")
    helene.is_active = False
    helene.save()
    assert signed_in.get(reverse("directory:person", args=[helene.pk])).status_code == 404
    assert signed_in.get(reverse("directory:person", args=[999999])).status_code == 404


def test_an_etablissements_card_groups_its_staff_and_shows_lists_and_mailboxes(signed_in):
    page = signed_in.get(reverse("directory:etablissement", args=["0311234y"])).content.decode()
    assert "<h1>Lycée Olympe-de-Gouges</h1>" in page and "0311234Y" in page
    lycee = Etablissement.objects.get(uai="0311234Y")
    assert lycee.address in page and lycee.phone in page
    assert page.index("Chef d&#x27;établissement") < page.index("Hélène Dupré")
    assert DistributionList.objects.get(etablissement=lycee).address in page
    assert Mailbox.objects.get(kind="functional", etablissement=lycee).address in page
    assert "Julien Vidal" in page  # teaches here and at the collège
    assert signed_in.get(reverse("directory:etablissement", args=["0000000A"])).status_code == 404


def test_every_directory_page_is_in_french(client, academie):
    from tests.catalogues import english_fragments, untranslated

    fragments = english_fragments()
    lycee = Etablissement.objects.get(uai="0311234Y")
    dlist = DistributionList.objects.get(etablissement=lycee)
    secretary = User.objects.get(username="secretariat.demo")  # keeps the lycée's lists
    support = User.objects.get(username="support.demo")
    pages = [
        (secretary, reverse("directory:search") + "?q=lycee"),
        (secretary, reverse("directory:search")),
        (secretary, reverse("directory:person", args=[secretary.pk])),
        (secretary, reverse("directory:etablissement", args=["0311234Y"])),
        (secretary, reverse("directory:lists")),
        (secretary, reverse("directory:list", args=[dlist.pk])),
        (secretary, reverse("directory:list_create")),
        (support, reverse("support:directory_import")),
    ]
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en-US,en;q=0.9"  # the person's French wins
    for user, url in pages:
        client.force_login(user)
        html = client.get(url).content.decode()
        assert 'lang="fr"' in html, url
        english = untranslated(html, fragments)
        assert not english, f"{url} shows English: {sorted(english)}"
