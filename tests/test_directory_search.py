"""The directory's search: accents and case ignored, établissements by name, commune or UAI,
disciplines and functions, one's own établissement first; on SQLite (FTS5) and PostgreSQL
(trigram) alike."""

import pytest

from accounts.models import User
from directory import search
from directory.models import Discipline, Etablissement, Function
from directory.search import Filters, normalise, search_etablissements, search_people

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True, params=["walk", "word-index", "many-matches"])
def window(request, monkeypatch):
    """A short walk in name order comes first, then the word index (FTS5 or trigram), or the
    database's own sort when that finds many: every path must give the same answers."""
    if request.param != "walk":
        monkeypatch.setattr(search, "SCAN_WINDOW", 1)
    if request.param == "many-matches":
        monkeypatch.setattr(search, "RARE_MAX", 1)


def etab(uai, name, city, kind="lycee"):
    return Etablissement.objects.create(uai=uai, name=name, city=city, kind=kind)


def person(login, first, last, place, *, functions=(), disciplines=(), also=()):
    user = User.objects.create_user(
        username=login, email=f"{login}@ac-demo.test", first_name=first, last_name=last,
        category=User.Category.TEACHER_SECONDARY, etablissement=place,
    )
    entry = user.directory_entry
    entry.functions.add(*(Function.objects.get_or_create(name=f)[0] for f in functions))
    entry.disciplines.add(*(Discipline.objects.get_or_create(name=d)[0] for d in disciplines))
    entry.etablissements.add(*also)
    return user


@pytest.fixture
def academie():
    lycee = etab("0311234Y", "Lycée Olympe-de-Gouges", "Blagnac")
    college = etab("0315678D", "Collège Lucie-Aubrac", "Ramonville-Saint-Agne", "college")
    people = {
        "camille": person("camille.martin", "Camille", "Martin", lycee,
                          functions=["Enseignant"], disciplines=["Mathématiques"]),
        "helene": person("helene.dupre", "Hélène", "Dupré", lycee, functions=["Proviseure"]),
        "sophie": person("sophie.lambert", "Sophie", "Lambert", lycee,
                         functions=["Conseiller principal d'éducation (CPE)"]),
        "aurelie": person("aurelie.lopez", "Aurélie", "Lopez", college,
                          functions=["Enseignant"], disciplines=["Mathématiques"], also=[lycee]),
        "patrick": person("patrick.sanchez", "Patrick", "Sanchez", college,
                          functions=["Principal"]),
        "agnes": person("agnes.dupont", "Agnès", "Dupont", college, functions=["Gestionnaire"]),
    }
    people["lycee"], people["college"] = lycee, college
    return people


def logins(query, viewer, **filters):
    found = search_people(query, viewer=viewer, filters=Filters(**filters))
    return [p.user.username for p in found]


def test_normalise_drops_accents_case_and_punctuation():
    assert normalise("Hélène DUPRÉ-Lœb, d'Éducation") == "helene dupre loeb d education"


def test_a_name_is_found_whatever_the_accents_and_case(academie):
    viewer = academie["patrick"]
    assert logins("helene dup", viewer) == ["helene.dupre"]
    assert logins("HÉLÈNE", viewer) == ["helene.dupre"]
    assert logins("dupré hél", viewer) == ["helene.dupre"]
    # Every word must begin a word of the entry: «dup» is not inside «Lopez».
    assert set(logins("dup", viewer)) == {"helene.dupre", "agnes.dupont"}
    assert logins("upre", viewer) == []


def test_an_etablissement_by_uai_in_any_case_name_or_commune(academie):
    viewer = academie["camille"]
    college_staff = {"aurelie.lopez", "patrick.sanchez", "agnes.dupont"}
    assert set(logins("0315678d", viewer)) == college_staff
    assert set(logins("lucie aubrac", viewer)) == college_staff
    assert set(logins("ramonville", viewer)) == college_staff
    # Aurélie teaches in both: she is staff of the lycée too.
    assert "aurelie.lopez" in logins("blagnac", viewer)


def test_a_whole_uai_is_its_etablissements_staff(academie):
    viewer = academie["camille"]
    assert logins("0315678D patrick", viewer) == ["patrick.sanchez"]
    assert logins("0311234y 0315678d", viewer) == ["aurelie.lopez"]  # in both
    assert logins("0319999z", viewer) == []  # no such établissement
    assert set(logins("031567", viewer)) == {"aurelie.lopez", "patrick.sanchez", "agnes.dupont"}


def test_a_discipline_or_a_function(academie):
    viewer = academie["camille"]
    assert set(logins("mathematiques", viewer)) == {"camille.martin", "aurelie.lopez"}
    assert logins("cpe", viewer) == ["sophie.lambert"]
    assert logins("gestionnaire", viewer) == ["agnes.dupont"]
    assert logins("maths aubrac", viewer) == []  # «maths» begins no word
    assert logins("mathem aubrac", viewer) == ["aurelie.lopez"]


def test_people_of_ones_own_etablissement_come_first(academie):
    # Alphabetically Dupont (collège) comes before Dupré (lycée).
    assert logins("dup", academie["camille"]) == ["helene.dupre", "agnes.dupont"]
    assert logins("dup", academie["patrick"]) == ["agnes.dupont", "helene.dupre"]


def test_filters_narrow_the_results_and_work_without_words(academie):
    viewer = academie["camille"]
    maths = Discipline.objects.get(name="Mathématiques")
    assert logins("", viewer, etablissement=academie["college"].pk, discipline=maths.pk) == [
        "aurelie.lopez"
    ]
    principal = Function.objects.get(name="Principal")
    assert logins("", viewer, function=principal.pk) == ["patrick.sanchez"]
    assert logins("", viewer) == []


def test_people_who_left_are_not_listed(academie):
    helene = academie["helene"]
    helene.is_active = False
    helene.save()
    assert logins("helene", academie["camille"]) == []


def test_keys_follow_renames_of_people_and_etablissements(academie):
    viewer = academie["camille"]
    helene = academie["helene"]
    helene.last_name = "Dupré-Vergès"
    helene.save()
    assert logins("verges", viewer) == ["helene.dupre"]
    college = academie["college"]
    college.name = "Collège Simone-Veil"
    college.save()
    assert "patrick.sanchez" in logins("simone veil", viewer)
    assert logins("aubrac", viewer) == []
    entry = academie["patrick"].directory_entry
    entry.disciplines.add(Discipline.objects.create(name="Histoire-géographie"))
    assert logins("histoire", viewer) == ["patrick.sanchez"]


def test_etablissements_by_name_commune_or_uai(academie):
    assert search_etablissements("0311234y") == [academie["lycee"]]
    assert search_etablissements("ramonville") == [academie["college"]]
    assert search_etablissements("olympe gouges") == [academie["lycee"]]
    assert search_etablissements("") == []
