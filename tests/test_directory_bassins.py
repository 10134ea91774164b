"""The établissements' bassin comes from the HR export (CSV column or LDIF attribute) and the demo
académie; discipline lists by bassin are created by IT support from a page and follow it."""

import io

import pytest
from django.core.management import call_command

from accounts.models import User
from demo import academie as demo
from directory import hr_files, hr_import, lists
from directory.models import Discipline, DistributionList, Etablissement

pytestmark = pytest.mark.django_db

HEADER = "identifiant;nom;prenom;categorie;uai;disciplines;bassin"


@pytest.fixture
def etabs():
    return {
        uai: Etablissement.objects.create(uai=uai, name=name, kind="lycee", city=city)
        for uai, name, city in (("0311234Y", "Lycée Olympe-de-Gouges", "Blagnac"),
                                ("0315678D", "Collège Lucie-Aubrac", "Ramonville-Saint-Agne"),
                                ("0312000F", "Lycée Saint-Sernin", "Toulouse"))
    }  # fmt: skip


EXPORT = "\n".join([
    HEADER,
    "camille.martin;Martin;Camille;enseignant_2d;0311234Y;Mathématiques;Toulouse Nord",
    "thomas.moreau;Moreau;Thomas;enseignant_2d;0315678D;Mathématiques;Toulouse Sud-Est",
    "lea.roux;Roux;Léa;enseignant_2d;0312000F;Mathématiques;",
    "paul.girard;Girard;Paul;enseignant_2d;0311234Y;Anglais;Toulouse  Nord",
]) + "\n"  # fmt: skip


def _run(tmp_path, data: str, *args) -> str:
    path = tmp_path / "export.csv"
    path.write_text(data, encoding="utf-8")
    out = io.StringIO()
    call_command("import_directory", str(path), *args, stdout=out)
    return out.getvalue()


def test_the_hr_export_sets_the_bassins_and_the_lists_of_a_bassin_follow(etabs, tmp_path):
    Etablissement.objects.filter(uai="0312000F").update(bassin="Toulouse Centre")
    dry = _run(tmp_path, EXPORT)
    assert "Bassin de 0311234Y : « — » → « Toulouse Nord »" in dry
    assert "Bassin de 0315678D : « — » → « Toulouse Sud-Est »" in dry
    assert "0312000F" not in dry  # an empty cell leaves the bassin as it is
    assert not Etablissement.objects.exclude(bassin="").exclude(uai="0312000F").exists()

    _run(tmp_path, EXPORT, "--apply")
    bassins = dict(Etablissement.objects.values_list("uai", "bassin"))
    assert bassins == {"0311234Y": "Toulouse Nord", "0315678D": "Toulouse Sud-Est",
                       "0312000F": "Toulouse Centre"}  # fmt: skip
    dlist = lists.create_discipline_list(
        name="Maths Toulouse Nord", address="maths.nord@ac-demo.test", bassin="Toulouse Nord",
        discipline=Discipline.objects.get(name="Mathématiques"), etablissement=None)
    assert [u.username for u in lists.members(dlist)] == ["camille.martin"]

    # The académie moves the collège to another bassin: the list follows the export.
    moved = EXPORT.replace("0315678D;Mathématiques;Toulouse Sud-Est",
                           "0315678D;Mathématiques;Toulouse Nord")
    assert "« Toulouse Sud-Est » → « Toulouse Nord »" in _run(tmp_path, moved, "--apply")
    assert [u.username for u in lists.members(dlist)] == ["camille.martin", "thomas.moreau"]
    again = hr_import.plan(hr_files.read(moved.encode()))
    assert not again.bassins and not again.errors


def test_two_rows_giving_one_etablissement_two_bassins_are_refused(etabs):
    data = EXPORT.replace("Toulouse  Nord", "Muret").encode()
    report = hr_import.plan(hr_files.read(data))
    assert dict(report.errors) == {5: "bassin « Muret » pour 0311234Y, mais la ligne 2 donne "
                                      "« Toulouse Nord »"}  # fmt: skip
    assert not report.can_apply


def test_ldif_carries_the_bassin_too(etabs):
    ldif = ("dn: uid=camille.martin,ou=people,dc=ac-demo\nuid: camille.martin\nsn: Martin\n"
            "givenName: Camille\nemployeeType: enseignant_2d\ndepartmentNumber: 0311234Y\n"
            "bassin: Toulouse\n  Nord\n")  # fmt: skip
    report = hr_import.plan(hr_files.read(ldif.encode(), "export.ldif"))
    assert report.bassins == [("0311234Y", "", "Toulouse Nord")]


def test_the_demo_academie_has_its_bassins_and_a_mathematics_list_of_one():
    demo.seed_directory()
    assert not Etablissement.objects.filter(bassin="").exists()
    lycee = Etablissement.objects.get(uai=demo.LYCEE_UAI)
    dlist = DistributionList.objects.get(kind=DistributionList.Kind.DISCIPLINE,
                                         bassin=lycee.bassin)
    members = lists.members(dlist)
    assert members and all(
        {e.bassin for e in u.directory_entry.etablissements.all()} & {lycee.bassin}
        and u.directory_entry.disciplines.filter(name="Mathématiques").exists()
        for u in members
    )
    demo.seed_directory()  # again: nothing doubled
    assert DistributionList.objects.filter(kind=DistributionList.Kind.DISCIPLINE).count() == 1


@pytest.fixture
def support(client, etabs):
    Etablissement.objects.filter(uai="0311234Y").update(bassin="Toulouse Nord")
    Etablissement.objects.filter(uai="0312000F").update(bassin="Toulouse Centre")
    Discipline.objects.create(name="Mathématiques")
    agent = User.objects.create_user(username="agent.support", email="agent@ac-demo.test",
                                     category=User.Category.IT_SUPPORT,
                                     etablissement=etabs["0312000F"])  # fmt: skip
    client.force_login(agent)
    return client


def test_it_support_creates_a_discipline_list_of_a_bassin_from_a_page(support):
    page = support.get("/annuaire/listes/").content.decode()
    assert "Créer une liste disciplinaire" in page
    form = support.get("/annuaire/listes/creer/disciplinaire/").content.decode()
    assert '<option value="Toulouse Nord"' in form and '<option value="Toulouse Centre"' in form
    maths = Discipline.objects.get()
    wrong = support.post("/annuaire/listes/creer/disciplinaire/", {
        "discipline": maths.pk, "bassin": "Toulouse Nord", "uai": "0311234Y",
        "name": "Maths", "local_part": "maths.nord"})  # fmt: skip
    assert wrong.status_code == 200
    assert "Choisissez un bassin ou un établissement, pas les deux." in wrong.content.decode()
    response = support.post("/annuaire/listes/creer/disciplinaire/", {
        "discipline": maths.pk, "bassin": "Toulouse Nord", "uai": "",
        "name": "Professeurs de mathématiques – bassin Toulouse Nord",
        "local_part": "maths.nord"})  # fmt: skip
    dlist = DistributionList.objects.get(address="maths.nord@ac-demo.test")
    assert response["Location"] == f"/annuaire/listes/{dlist.pk}/"
    assert (dlist.kind, dlist.bassin, dlist.discipline, dlist.etablissement) == (
        "disciplinaire", "Toulouse Nord", maths, None)
    shown = support.get(response["Location"]).content.decode()
    assert "les établissements du bassin Toulouse Nord" in shown
    assert lists.may_manage(User.objects.get(username="agent.support"), dlist)
    card = support.get("/annuaire/etablissement/0311234Y/").content.decode()
    assert "Toulouse Nord" in card and "maths.nord@ac-demo.test" in card
    assert "maths.nord@ac-demo.test" not in support.get(
        "/annuaire/etablissement/0312000F/").content.decode()


def test_only_it_support_creates_discipline_lists(client, etabs):
    teacher = User.objects.create_user(username="prof.x", email="prof.x@ac-demo.test",
                                       category=User.Category.TEACHER_SECONDARY,
                                       etablissement=etabs["0311234Y"])  # fmt: skip
    client.force_login(teacher)
    assert "Créer une liste disciplinaire" not in client.get("/annuaire/listes/").content.decode()
    assert client.get("/annuaire/listes/creer/disciplinaire/").status_code == 404
    assert client.post("/annuaire/listes/creer/disciplinaire/", {}).status_code == 404
