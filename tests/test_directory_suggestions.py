"""Compose suggestions from the directory's search: accented names shown as people read them
(never MIME-encoded), one's own établissement first, then recent correspondents, the lists one
may write to, and the rest of the académie."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from demo import academie as demo
from directory.models import DistributionList
from directory.suggestions import display_address, suggest
from mail.models import Mailbox, OutgoingMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def academie(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo.seed_directory()
    return User.objects.get(username="prof.demo")


def test_display_addresses_are_plain_text_and_quoted_only_when_needed():
    assert display_address("Hélène Dupré", "helene.dupre@ac-demo.test") == (
        "Hélène Dupré <helene.dupre@ac-demo.test>"
    )
    assert display_address("Dupré, Hélène", "h@x.test") == '"Dupré, Hélène" <h@x.test>'
    assert display_address('Le "chef"', "c@x.test") == '"Le \\"chef\\"" <c@x.test>'
    assert display_address("", "c@x.test") == "c@x.test"


def test_accented_names_are_suggested_readable_not_mime_encoded(client, academie):
    """#11: «=?utf-8?b?…?= <helene.dupre@…>» in «À»."""
    client.force_login(academie)
    found = client.get(reverse("mail:addresses"), {"q": "helene dup"}).json()["results"]
    assert found[0]["value"] == "Hélène Dupré <helene.dupre@ac-demo.test>"
    assert found[0]["label"] == "Hélène Dupré"
    assert "Chef d'établissement" in found[0]["detail"]
    assert not any("=?" in s["value"] for s in found)


def test_own_etablissement_then_recent_then_lists_then_the_academie(academie):
    domain = settings.MAIL_DOMAIN
    OutgoingMessage.objects.create(
        user=academie, kind=OutgoingMessage.Kind.MESSAGE, send_after=timezone.now(),
        mailbox=academie.personal_mailbox,
        recipients=[f"marie.dubois@{domain}", "marc.durand@parents.example"],
    )
    DistributionList.objects.create(address=f"maths-bassin@{domain}", name="Mathématiques bassin")
    DistributionList.objects.create(address=f"direction@{domain}", name="Mathématiques direction",
                                    allowed_senders=f"proviseur@{domain}")
    found = suggest(academie, "ma")
    kinds = [s.kind for s in found]
    # Lycée Olympe-de-Gouges people first (Camille Martin, Mathieu Lefèvre…)…
    own = [s for s in found if s.kind == "person" and "Olympe-de-Gouges" in s.detail]
    assert own and kinds[: len(own)] == ["person"] * len(own)
    # …then the correspondents of the sent mail, then the lists prof.demo may write to.
    after = kinds[len(own):]
    assert after[:2] == ["recent", "recent"] and after[2] == "list"
    values = [s.value for s in found]
    assert "Mathématiques bassin <maths-bassin@ac-demo.test>" in values
    assert not any("direction@" in v for v in values)  # only chosen senders may write to it


def test_people_of_other_etablissements_come_after(academie):
    found = suggest(academie, "patrick san")
    assert [s.value for s in found] == [f"Patrick Sanchez <patrick.sanchez@{settings.MAIL_DOMAIN}>"]
    assert "Collège Lucie-Aubrac" in found[0].detail


def test_too_short_or_empty_queries_suggest_nothing(academie):
    assert suggest(academie, "") == [] and suggest(academie, "é") == []
    assert suggest(academie, " , ") == []


# --- the shared mailbox's member picker (#11: «needs the exact login») ------------------------


def member_form(person: str):
    from shared_mailboxes.forms import MemberForm

    box = Mailbox.objects.get(address="vie-scolaire.0311234y@ac-demo.test")
    form = MemberForm({"membre-person": person, "membre-can_read": "on"}, mailbox=box,
                      prefix="membre")
    form.is_valid()
    return form


@pytest.mark.parametrize("typed", [
    "helene dup", "Hélène Dupré <helene.dupre@ac-demo.test>", "helene.dupre",
    "HELENE.DUPRE@ac-demo.test",
])
def test_a_member_is_found_by_name_as_well_as_by_login(academie, typed):
    form = member_form(typed)
    assert form.cleaned_data.get("person") == User.objects.get(username="helene.dupre"), form.errors


def test_a_name_that_fits_several_people_asks_to_choose(academie):
    form = member_form("dup")
    message = " ".join(form.errors["person"])
    assert "Plusieurs personnes correspondent à « dup »" in message and "Hélène Dupré" in message
    assert "Personne n’a cet identifiant" in " ".join(member_form("zzz")["person"].errors)


def test_the_people_suggestions_hold_people_only(client, academie):
    DistributionList.objects.create(address="helene-list@ac-demo.test", name="Hélène liste")
    client.force_login(academie)
    found = client.get(reverse("directory:people_suggestions"), {"q": "helene"}).json()["results"]
    assert found and {s["kind"] for s in found} == {"person"}
    assert found[0]["value"].startswith("Hélène")
    client.logout()
    assert client.get(reverse("directory:people_suggestions"), {"q": "helene"}).status_code == 302
