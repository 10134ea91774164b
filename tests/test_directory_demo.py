"""The demo académie's directory: about 40 établissements and a few hundred people, seeded fast
and idempotently, the demo cast unchanged."""


import pytest

from accounts.models import User
from demo import academie as demo
from directory.models import Etablissement, Person
from directory.search import search_people
from mail.models import Mailbox

pytestmark = pytest.mark.django_db


@pytest.fixture
def fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_the_data_files_describe_a_credible_academie():
    assert 35 <= len(demo.ACADEMIE_ETABLISSEMENTS) <= 60
    assert 250 <= len(demo.ACADEMIE_PEOPLE) <= 600
    logins = [p.login for p in demo.ACADEMIE_PEOPLE]
    assert len(set(logins)) == len(logins)
    uais = {e.uai for e in demo.ACADEMIE_ETABLISSEMENTS}
    assert all(p.uai in uais and set(p.also) <= uais for p in demo.ACADEMIE_PEOPLE)
    assert {"0311234Y", "0315678D", "0319012C"} <= uais
    assert all(p.functions for p in demo.ACADEMIE_PEOPLE)
    assert sum(1 for p in demo.ACADEMIE_PEOPLE if p.also) >= 10  # teachers in two places


def test_seeding_the_directory_is_idempotent(fast_hashing):
    demo.seed_directory()
    assert Etablissement.objects.count() == len(demo.ACADEMIE_ETABLISSEMENTS)
    assert Person.objects.count() == User.objects.count() == len(demo.ACADEMIE_PEOPLE)
    assert Mailbox.objects.filter(kind=Mailbox.Kind.PERSONAL).count() == User.objects.count()
    lycee = Etablissement.objects.get(uai="0311234Y")
    assert lycee.name == "Lycée Olympe-de-Gouges" and lycee.address and lycee.phone

    second = demo.seed_directory()
    assert second.created_users == [] and second.created_etablissements == []
    assert Person.objects.count() == len(demo.ACADEMIE_PEOPLE)

    prof = User.objects.get(username="prof.demo")
    assert [p.user.username for p in search_people("camille martin", viewer=prof)] == [
        "prof.demo"
    ]
    helene = search_people("helene dup", viewer=prof)[0]
    assert helene.user.username == "helene.dupre"
    assert [f.name for f in helene.functions.all()] == ["Chef d'établissement"]
    # A teacher of both the lycée and the collège.
    vidal = User.objects.get(username="julien.vidal").directory_entry
    assert {e.uai for e in vidal.etablissements.all()} == {"0311234Y", "0315678D"}
    college_staff = search_people("0315678d", viewer=prof, limit=100)
    assert "julien.vidal" in {p.user.username for p in college_staff}
    # Nobody outside the cast can sign in.
    assert not User.objects.get(username=demo.ACADEMIE_PEOPLE[-1].login).has_usable_password()
