"""Password policy: 12 characters, no common or personal-data password, French feedback."""

import datetime

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.conftest import PASSWORD, make_person


def refusal(password, user=None) -> str:
    with pytest.raises(ValidationError) as error:
        validate_password(password, user)
    return " ".join(error.value.messages)


@pytest.mark.django_db
def test_refused_passwords_say_why_in_french():
    user = make_person("camille.martin", first_name="Camille", last_name="Martin-Lefèvre",
                       birth_date=datetime.date(1985, 3, 15))  # fmt: skip
    assert "au minimum 12 caractères" in refusal("Court-1!", user)
    assert "trop courant" in refusal("password1234", user)
    assert "facile à deviner" in refusal("Azerty-123456!", user)
    assert "facile à deviner" in refusal("Marseille2026!!", user)
    assert "votre nom ou votre identifiant" in refusal("Vive-LEFEVRE-et-les-chats", user)
    assert "votre nom ou votre identifiant" in refusal("martin:rue-des-lilas-9", user)
    assert "date de naissance" in refusal("Chat-noir-15031985", user)
    assert "date de naissance" in refusal("Chat-noir-1985-lune", user)
    assert "numéro de votre établissement" in refusal("Lycee0311234Y-soleil-couchant", user)
    validate_password("Le-chat-de-Lou-dort-au-CDI", user)  # a sentence is fine


@pytest.mark.django_db
def test_changing_the_password_page_shows_the_rules(client):
    user = make_person("prof.demo", first_name="Camille", last_name="Martin")
    client.force_login(user)
    page = client.get(reverse("account_change_password"))
    assert "Au moins 12 caractères" in page.text
    weak = "Camille-2026-soleil"
    refused = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": weak, "password2": weak},
    )
    assert "ne doit pas contenir votre nom" in refused.text
    done = client.post(reverse("account_change_password"), {
        "oldpassword": PASSWORD, "password1": "Le-chat-de-Lou-dort-au-CDI",
        "password2": "Le-chat-de-Lou-dort-au-CDI",
    })  # fmt: skip
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Le-chat-de-Lou-dort-au-CDI")
