"""manage.py import_directory: the HR export (CSV or LDIF) as a dry run, then applied all at
once and idempotently; leavers deactivated and out of the lists; arrivals with an account, a
mailbox and an activation path; wrong input reported row by row, in French, nothing applied."""

import base64
import io
import shutil
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from accounts.models import User
from accounts.numen import numen_hash
from directory import hr_files, hr_import
from directory.models import DistributionList, Etablissement
from directory.search import search_people
from mail.models import KeptUpload, Mailbox

pytestmark = pytest.mark.django_db

HEADER = "identifiant;nom;prenom;categorie;uai;uai_secondaires;fonctions;disciplines;telephone;numen;date_naissance;courriel_perso"  # noqa: E501


@pytest.fixture
def academie():
    lycee = Etablissement.objects.create(uai="0311234Y", name="Lycée Olympe-de-Gouges",
                                         kind="lycee", city="Blagnac")
    Etablissement.objects.create(uai="0315678D", name="Collège Lucie-Aubrac", kind="college",
                                 city="Ramonville-Saint-Agne")
    for login, first, last in (("camille.martin", "Camille", "Martin"),
                               ("thomas.moreau", "Thomas", "Moreau"),
                               ("ancien.prof", "Paul", "Ancien")):
        User.objects.create_user(username=login, email=f"{login}@ac-demo.test", first_name=first,
                                 last_name=last, category="enseignant_2d", etablissement=lycee)
    dlist = DistributionList.objects.create(address="projet@ac-demo.test", name="Projet")
    dlist.members.add(User.objects.get(username="ancien.prof"))
    return lycee


EXPORT = "\n".join([
    HEADER,
    "camille.martin;Martin;Camille;enseignant_2d;0311234Y;;;;;;;",
    "thomas.moreau;Moreau;Thomas;enseignant_2d;0311234Y;0315678D;Enseignant;"
    "Histoire-géographie;05 61 00 00 01;;;",
    "helene.dupre;Dupré;Hélène;administratif;0311234y;;Chef d'établissement;;05 61 00 00 02;"
    "31E2026009ABC;04/05/1975;helene@perso.example",
]) + "\n"  # fmt: skip


def run(data: bytes, *args, name="export.csv", tmp_path) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    out = io.StringIO()
    call_command("import_directory", str(path), *args, stdout=out)
    return out.getvalue()


def test_dry_run_then_apply_then_nothing_left_to_do(academie, tmp_path):
    dry = run(EXPORT.encode(), tmp_path=tmp_path)
    assert ("Arrivées : 1 · modifications : 1 · inchangées : 1 · départs : 1 · "
            "lignes erronées : 0") in dry
    assert "Arrive : helene.dupre (Hélène Dupré)" in dry
    assert "Modifié : thomas.moreau (uais, functions, disciplines, phone)" in dry
    assert "Part : ancien.prof" in dry
    assert not User.objects.filter(username="helene.dupre").exists()  # a dry run only

    run(EXPORT.encode(), "--apply", tmp_path=tmp_path)
    helene = User.objects.get(username="helene.dupre")
    assert helene.can_log_in and not helene.has_usable_password()
    # Her activation path: «Mot de passe oublié» with her NUMEN and birth date.
    assert helene.numen_hash == numen_hash("31E2026009ABC") and helene.birth_date.year == 1975
    assert helene.recovery_email == "helene@perso.example"
    assert Mailbox.objects.get(owner=helene).address == "helene.dupre@ac-demo.test"
    found = search_people("chef blagnac", viewer=helene)
    assert [p.user for p in found] == [helene]
    thomas = User.objects.get(username="thomas.moreau").directory_entry
    assert {e.uai for e in thomas.etablissements.all()} == {"0311234Y", "0315678D"}
    assert thomas.phone == "05 61 00 00 01"
    leaver = User.objects.get(username="ancien.prof")  # kept, not deleted
    assert not leaver.is_active and leaver.status == User.Status.DISABLED
    assert not DistributionList.objects.get().members.exists()
    assert search_people("ancien", viewer=helene) == []

    again = run(EXPORT.encode(), "--apply", tmp_path=tmp_path)
    assert "Arrivées : 0 · modifications : 0 · inchangées : 3 · départs : 0" in again


def test_a_leaver_takes_no_place_in_a_page_of_results(academie, tmp_path):
    run(EXPORT.encode(), "--apply", tmp_path=tmp_path)
    # «Ancien» sorts first of the lycée's staff: still matched, he would take the one place
    # of this page and leave it empty (the search drops whoever is not listed).
    found = search_people("lycee olympe", viewer=None, limit=1)
    assert [p.user.username for p in found] == ["helene.dupre"]


def test_the_import_leaves_no_search_entries_pending(academie, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's GIN pending list")
    run(EXPORT.encode(), "--apply", tmp_path=tmp_path)
    with connection.cursor() as cursor:  # the number of pending pages it had to merge
        cursor.execute("SELECT gin_clean_pending_list('directory_person_search_trgm')")
        assert cursor.fetchone()[0] == 0


def test_windows_1252_and_a_bom_are_read_as_the_same_names(academie):
    for data in (EXPORT.encode("cp1252"), b"\xef\xbb\xbf" + EXPORT.encode()):
        report = hr_import.plan(hr_files.read(data))
        assert [(p.first_name, p.last_name) for p in report.created] == [("Hélène", "Dupré")]
        assert not report.errors


def test_missing_columns_refuse_the_file_in_french(academie, tmp_path):
    with pytest.raises(CommandError, match="Colonnes obligatoires absentes : categorie, uai"):
        run(b"identifiant;nom;prenom\ncamille.martin;Martin;Camille\n", tmp_path=tmp_path)


def test_wrong_rows_are_reported_line_by_line_and_nothing_is_applied(academie, tmp_path):
    bad = EXPORT + "\n".join([
        "helene.dupre;Dupré;Hélène;administratif;0311234Y;;;;;;;",
        "x;Sans;Login;directeur;9999999Z;;;;;;31/02/1980;pas-une-adresse",
    ]) + "\n"  # fmt: skip
    with pytest.raises(CommandError, match="Rien n’a été importé : 2 lignes sont erronées"):
        run(bad.encode(), "--apply", tmp_path=tmp_path)
    report = hr_import.plan(hr_files.read(bad.encode()))
    problems = dict(report.errors)
    assert "« helene.dupre » figure déjà ligne 4" in problems[5]
    for expected in ("identifiant « x » invalide", "catégorie « directeur » inconnue",
                     "UAI « 9999999Z » inconnu", "date de naissance « 31/02/1980 » invalide",
                     "adresse « pas-une-adresse » invalide"):
        assert expected in problems[6]
    assert not User.objects.filter(username="helene.dupre").exists()
    assert User.objects.get(username="ancien.prof").is_active


def test_ldif_with_folded_lines_base64_and_several_etablissements(academie):
    name = base64.b64encode("Dupré".encode()).decode()
    ldif = (
        "version: 1\n\n"
        "dn: uid=helene.dupre,ou=people,dc=ac-demo\nobjectClass: inetOrgPerson\n"
        f"uid: helene.dupre\nsn:: {name}\ngivenName: H\n élène\nemployeeType: administratif\n"
        "departmentNumber: 0311234Y\ndepartmentNumber: 0315678D\ntitle: Chef d'établissement\n"
        "jpegPhoto:: AAAA\n\n"
        "dn: uid=camille.martin,ou=people,dc=ac-demo\nuid: camille.martin\nsn: Martin\n"
        "givenName: Camille\nemployeeType: enseignant_2d\ndepartmentNumber: 0311234Y\n"
    )
    report = hr_import.plan(hr_files.read(ldif.encode(), "export.ldif"))
    assert not report.errors
    (helene,) = report.created
    assert (helene.first_name, helene.last_name, helene.uais) == (
        "Hélène", "Dupré", ("0311234Y", "0315678D"))
    assert report.unchanged == 1


def test_fifty_thousand_rows_with_three_wrong_ones(academie):
    lines = [HEADER] + [
        f"prof.{n};Nom{n};Prénom;enseignant_2d;0311234Y;;Enseignant;Mathématiques;;;;"
        for n in range(50_000)
    ]
    lines[1000] = "prof.x;;Prénom;enseignant_2d;0311234Y;;;;;;;"
    lines[20000] = "prof.5;Nom;Prénom;enseignant_2d;0311234Y;;;;;;;"
    lines[49999] = "prof.y;Nom;Prénom;enseignant_2d;0000000A;;;;;;;"
    started = time.monotonic()
    report = hr_import.plan(hr_files.read("\n".join(lines).encode("cp1252")))
    assert time.monotonic() - started < 60
    assert [line for line, _ in report.errors] == [1001, 20001, 50000]
    assert not report.can_apply
    with pytest.raises(ValueError):
        hr_import.apply(report)
    assert User.objects.count() == 3


# --- the support console's page ---------------------------------------------------------------


@pytest.fixture
def agent(academie, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return User.objects.create_user(username="support.demo", email="support.demo@ac-demo.test",
                                    category="support", etablissement=academie)


def upload(client, data: bytes, name="export.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    return client.post(reverse("support:directory_import"),
                       {"file": SimpleUploadedFile(name, data)})  # fmt: skip


def test_support_checks_then_applies_an_export(client, agent, tmp_path):
    from django.urls import reverse

    client.force_login(agent)
    export = EXPORT + "support.demo;Support;Sam;support;0311234Y;;;;;;;\n"
    page = upload(client, export.encode("cp1252"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Arrivées : 1" in text and "Hélène Dupré (helene.dupre)" in text
    assert "Paul Ancien (ancien.prof)" in text  # leaves
    assert not User.objects.filter(username="helene.dupre").exists()
    token = page.context["token"]

    done = client.post(reverse("support:directory_import"), {"token": token}, follow=True)
    assert "Import effectué. Arrivées : 1" in done.content.decode()
    assert User.objects.get(username="helene.dupre").is_active
    assert not KeptUpload.objects.filter(token=token).exists()  # HR data not kept once used
    again = client.post(reverse("support:directory_import"), {"token": token}, follow=True)
    assert "trop ancienne ou déjà appliquée" in again.content.decode()


def test_the_check_and_the_apply_may_reach_two_web_nodes(client, agent, settings, tmp_path):
    from django.urls import reverse

    client.force_login(agent)
    settings.VAR_DIR = tmp_path / "node-a"  # the check on one node…
    settings.VAR_DIR.mkdir()
    export = EXPORT + "support.demo;Support;Sam;support;0311234Y;;;;;;;\n"
    token = upload(client, export.encode("cp1252")).context["token"]
    shutil.rmtree(settings.VAR_DIR)
    settings.VAR_DIR = tmp_path / "node-b"  # …«Appliquer» on another, with its own disk
    settings.VAR_DIR.mkdir()
    done = client.post(reverse("support:directory_import"), {"token": token}, follow=True)
    assert "Import effectué. Arrivées : 1" in done.content.decode()
    assert User.objects.get(username="helene.dupre").is_active


def test_a_check_is_only_applied_by_its_agent_and_within_a_day(client, agent, academie):
    from django.urls import reverse

    client.force_login(agent)
    export = EXPORT + "support.demo;Support;Sam;support;0311234Y;;;;;;;\n"
    token = upload(client, export.encode("cp1252")).context["token"]
    other = User.objects.create_user(username="support.autre", category="support",
                                     email="support.autre@ac-demo.test", etablissement=academie)
    client.force_login(other)
    refused = client.post(reverse("support:directory_import"), {"token": token}, follow=True)
    assert "trop ancienne ou déjà appliquée" in refused.content.decode()
    client.force_login(agent)
    KeptUpload.objects.filter(token=token).update(expires_at=timezone.now() - timedelta(1))
    late = client.post(reverse("support:directory_import"), {"token": token}, follow=True)
    assert "trop ancienne ou déjà appliquée" in late.content.decode()
    assert not User.objects.filter(username="helene.dupre").exists()


def test_support_sees_wrong_rows_and_cannot_apply(client, agent):
    client.force_login(agent)
    page = upload(client, (EXPORT + "x;;;;;;;;;;;\n").encode())
    text = page.content.decode()
    assert "rien ne peut être appliqué" in text and "identifiant « x » invalide" in text
    assert "token" not in page.context and "Appliquer l’import" not in text
    page = upload(client, b"nom;prenom\nA;B\n")
    assert "Colonnes obligatoires absentes" in page.content.decode()


def test_the_import_page_is_for_it_support_only(client, academie):
    from django.urls import reverse

    client.force_login(User.objects.get(username="camille.martin"))
    assert client.get(reverse("support:directory_import")).status_code == 403
