"""Distribution list pages and rules: who may write (members, the établissement, the académie,
chosen senders; none after a project's end), lists by discipline, browsing, joining and leaving,
owners adding and removing members and deciding on requests."""

from datetime import timedelta
from email import message_from_bytes

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from demo import academie as demo
from directory import lists
from directory.models import Discipline, DistributionList
from mail.imap import imap_session
from mail.transport.smtp import submit_as
from tests.conftest import build_message, inbox_subjects, uid_of, unique_subject, wait_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def academie(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo.seed_directory()
    return {login: User.objects.get(username=login)
            for login in ("prof.demo", "secretariat.demo", "patrick.sanchez", "helene.dupre")}


def test_who_may_write(academie):
    dlist = DistributionList.objects.get(address="enseignants.0311234y@ac-demo.test")
    prof, patrick = academie["prof.demo"].email, academie["patrick.sanchez"].email
    assert lists.may_post(dlist, patrick)  # académie: today's behaviour kept
    dlist.posting = DistributionList.Posting.MEMBERS
    assert lists.may_post(dlist, prof) and not lists.may_post(dlist, patrick)
    dlist.posting = DistributionList.Posting.ETABLISSEMENT
    assert lists.may_post(dlist, academie["helene.dupre"].email)
    assert not lists.may_post(dlist, patrick)
    dlist.posting, dlist.allowed_senders = DistributionList.Posting.CHOSEN, patrick.upper()
    assert lists.may_post(dlist, patrick) and not lists.may_post(dlist, prof)
    dlist.posting, dlist.allowed_senders = DistributionList.Posting.ACADEMIE, ""
    dlist.ends_on = timezone.localdate() - timedelta(days=1)
    assert not lists.may_post(dlist, prof)


def test_a_discipline_list_follows_the_hr_data(academie):
    maths = Discipline.objects.get(name="Mathématiques")
    dlist = DistributionList.objects.create(
        address="maths.0311234y@ac-demo.test", name="Maths du lycée", discipline=maths,
        kind=DistributionList.Kind.DISCIPLINE, etablissement=academie["prof.demo"].etablissement,
    )
    reached = {m.address for m in lists.member_mailboxes(dlist)}
    assert reached == {"prof.demo@ac-demo.test"}
    academie["prof.demo"].directory_entry.disciplines.remove(maths)
    assert lists.member_mailboxes(dlist) == []


def test_a_discipline_list_of_a_bassin_reaches_its_etablissements_only(academie):
    """«Les professeurs de mathématiques du bassin»: by discipline and area, from HR data."""
    from directory.models import Etablissement, Person

    maths = Discipline.objects.get(name="Mathématiques")
    teachers = Person.objects.filter(disciplines=maths).select_related("user")
    assert teachers.count() >= 3
    north, elsewhere = set(), set()
    for i, entry in enumerate(teachers):
        etab = entry.etablissements.first()
        Etablissement.objects.filter(pk=etab.pk).update(
            bassin="Toulouse Nord" if i % 2 == 0 else "Muret")
    for entry in teachers:
        bassins = {e.bassin for e in entry.etablissements.all()}
        (north if "Toulouse Nord" in bassins else elsewhere).add(entry.user.email)
    dlist = DistributionList.objects.create(
        address="maths-toulouse-nord@ac-demo.test", name="Maths du bassin Toulouse Nord",
        discipline=maths, bassin="Toulouse Nord", kind=DistributionList.Kind.DISCIPLINE)
    reached = {m.address for m in lists.member_mailboxes(dlist)}
    assert reached and reached <= north and reached.isdisjoint(elsewhere)


def test_a_project_list_from_creation_to_a_colleague_joining(client, academie):
    client.force_login(academie["prof.demo"])
    response = client.post(reverse("directory:list_create"), {
        "name": "Classe européenne 2026", "local_part": "Classe-Euro-2026",
        "description": "Échanges avec Bologne", "ends_on": "2026-07-04",
    })  # fmt: skip
    dlist = DistributionList.objects.get(address="classe-euro-2026@ac-demo.test")
    assert response["Location"] == reverse("directory:list", args=[dlist.pk])
    assert dlist.kind == "projet" and list(dlist.owners.all()) == [academie["prof.demo"]]
    again = client.post(reverse("directory:list_create"), {
        "name": "x", "local_part": "classe-euro-2026", "ends_on": "2026-07-04"})
    assert "Cette adresse est déjà utilisée" in again.content.decode()

    act = reverse("directory:list_act", args=[dlist.pk])
    client.force_login(academie["patrick.sanchez"])
    assert "Classe européenne 2026" in client.get(reverse("directory:lists")).content.decode()
    assert client.post(act, {"operation": "add", "ajout-person": "patrick"}).status_code == 404
    client.post(act, {"operation": "join"})
    assert not lists.is_member(academie["patrick.sanchez"], dlist)

    client.force_login(academie["prof.demo"])
    page = client.get(reverse("directory:list", args=[dlist.pk])).content.decode()
    assert "Patrick Sanchez" in page and "Demandes d’adhésion" in page
    request = dlist.join_requests.get()
    client.post(act, {"operation": "approve", "request": request.pk})
    assert lists.is_member(academie["patrick.sanchez"], dlist)
    client.post(act, {"operation": "add", "ajout-person": "helene dup"})
    assert lists.is_member(academie["helene.dupre"], dlist)
    bad = client.post(act, {"operation": "add", "ajout-person": "dup"})
    assert bad.status_code == 400 and "Plusieurs personnes correspondent" in bad.content.decode()
    client.post(act, {"operation": "remove", "user": academie["helene.dupre"].pk})
    assert not lists.is_member(academie["helene.dupre"], dlist)
    assert client.post(act, {"operation": "remove", "user": "abc"}).status_code == 302
    client.post(act, {"operation": "settings", "reglages-posting": "chosen",
                      "reglages-allowed_senders": ""})
    dlist.refresh_from_db()
    assert dlist.posting == "members"  # «chosen» needs at least one sender
    client.post(act, {"operation": "settings", "reglages-posting": "members",
                      "reglages-members_visible": ""})
    dlist.refresh_from_db()
    assert not dlist.members_visible

    client.force_login(academie["helene.dupre"])
    page = client.get(reverse("directory:list", args=[dlist.pk])).content.decode()
    assert "Seuls les propriétaires et les membres voient" in page
    assert "patrick.sanchez@" not in page
    client.force_login(academie["patrick.sanchez"])
    client.post(act, {"operation": "leave"})
    assert not lists.is_member(academie["patrick.sanchez"], dlist)


def test_an_etablissements_list_is_kept_by_its_administrative_staff(client, academie):
    dlist = DistributionList.objects.get(address="enseignants.0311234y@ac-demo.test")
    assert lists.may_manage(academie["secretariat.demo"], dlist)
    assert not lists.may_manage(academie["prof.demo"], dlist)
    assert not lists.may_manage(academie["patrick.sanchez"], dlist)  # the collège's principal
    client.force_login(academie["prof.demo"])
    page = client.get(reverse("directory:list", args=[dlist.pk])).content.decode()
    assert "Camille Martin" in page and "Ajouter un membre" not in page
    # A member by role cannot leave by hand: the HR data decide.
    assert "Quitter la liste" not in page and "Demander à rejoindre" not in page
    assert client.get(reverse("directory:list", args=[99999])).status_code == 404


@pytest.mark.e2e
def test_list_mail_carries_list_id_and_the_usual_headers(mail_stack, prof, colleague):
    dlist = DistributionList.objects.create(
        address=f"projet-europe@{settings.MAIL_DOMAIN}", name="Équipe Europe",
        kind=DistributionList.Kind.PROJECT,
    )
    dlist.members.add(colleague)
    subject = unique_subject("Réunion")
    message = build_message(to=dlist.address, subject=subject, sender=prof.email)
    submit_as("prof.demo", message.as_bytes(), mail_from=prof.email, recipients=[dlist.address])
    wait_for(lambda: subject in inbox_subjects("collegue.demo"))
    with imap_session(colleague.username) as box:
        raw = box.fetch_raw("INBOX", uid_of(colleague, subject))
    received = message_from_bytes(raw)
    domain = settings.MAIL_DOMAIN
    assert received["List-Id"] == f"=?utf-8?q?=C3=89quipe_Europe?= <projet-europe.{domain}>"
    assert received["List-Post"] == f"<mailto:{dlist.address}>"
    assert received["List-Unsubscribe"].endswith(f"/annuaire/listes/{dlist.pk}/>")
    assert received["Precedence"] == "list"


@pytest.mark.e2e
def test_a_moderated_list_holds_mail_until_an_owner_approves(mail_stack, client, prof, colleague):
    dlist = DistributionList.objects.create(
        address=f"conseil@{settings.MAIL_DOMAIN}", name="Conseil pédagogique", moderated=True,
        kind=DistributionList.Kind.PROJECT,
    )
    dlist.owners.add(prof)
    dlist.members.add(prof, colleague)
    subject, rejected = unique_subject("Ordre du jour"), unique_subject("Hors sujet")
    for title in (subject, rejected):
        message = build_message(to=dlist.address, subject=title, sender=colleague.email)
        submit_as("collegue.demo", message.as_bytes(), mail_from=colleague.email,
                  recipients=[dlist.address])
    assert [h.subject for h in dlist.held.all()] == [subject, rejected]
    assert subject not in inbox_subjects("prof.demo")

    client.force_login(prof)
    page = client.get(reverse("directory:list", args=[dlist.pk])).content.decode()
    assert "Messages en attente d’approbation" in page and subject in page
    act = reverse("directory:list_act", args=[dlist.pk])
    first, second = dlist.held.all()
    client.post(act, {"operation": "release", "held": str(first.pk)})
    client.post(act, {"operation": "discard", "held": str(second.pk)})
    assert client.post(act, {"operation": "release", "held": str(first.pk)}).status_code == 404
    assert client.post(act, {"operation": "release", "held": "x"}).status_code == 404
    wait_for(lambda: subject in inbox_subjects("collegue.demo"))
    wait_for(lambda: subject in inbox_subjects("prof.demo"))
    assert rejected not in inbox_subjects("prof.demo") and not dlist.held.exists()
    # The sender of the refused message is told, once, in French, from the list's address.
    notice = f"Message non diffusé : {rejected}"
    wait_for(lambda: notice in inbox_subjects("collegue.demo"))
    assert inbox_subjects("collegue.demo").count(notice) == 1
    with imap_session("collegue.demo") as box:
        told = message_from_bytes(box.fetch_raw("INBOX", uid_of(colleague, notice)))
    assert told["Auto-Submitted"] == "auto-replied" and dlist.address in told["From"]
    assert "n’a pas été accepté par les modérateurs" in told.get_payload(decode=True).decode()
    # The owner's own mail goes straight through.
    own = unique_subject("Compte rendu")
    submit_as("prof.demo", build_message(to=dlist.address, subject=own, sender=prof.email)
              .as_bytes(), mail_from=prof.email, recipients=[dlist.address])
    wait_for(lambda: own in inbox_subjects("collegue.demo"))


def test_a_refused_automatic_message_is_not_answered(prof):
    from directory import moderation
    from directory.models import HeldMessage
    from mail.models import SpooledMessage

    dlist = DistributionList.objects.create(address=f"auto@{settings.MAIL_DOMAIN}", name="Auto",
                                            moderated=True, kind=DistributionList.Kind.PROJECT)
    for sender, raw in [("robot@example.org", b"Subject: Absent\r\nAuto-Submitted: auto-replied"
                         b"\r\n\r\nabsent"), ("", b"Subject: Rebond\r\n\r\nrebond")]:  # fmt: skip
        held = HeldMessage.objects.create(dlist=dlist, sender=sender, subject="x", raw=raw)
        moderation.decide(dlist, str(held.pk), approve=False)
    assert not SpooledMessage.objects.exists() and not dlist.held.exists()
