"""In headless Debian Chromium: a locked-out teacher recovers alone; a support agent unlocks a
colleague. axe-core checks each page."""

import pytest
from playwright.sync_api import expect

from accounts.models import User
from tests.conftest import (
    assert_accessible,
    inbox_subjects,
    make_person,
    phone_of,
    sign_in_with_code,
    wait_for,
)
from tests.test_recovery import (
    BIRTH,
    CHANGED,
    NUMEN,
    PERSONAL,
    captured_mail_to,
    code_in,
    with_identity,
)

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.usefixtures("mail_stack")]

NEW_PASSWORD = "Mon-Nouveau-Secret-2026"


def test_locked_teacher_recovers_the_account_alone(live_server, page, prof):
    with_identity(prof)
    User.objects.filter(pk=prof.pk).update(status=User.Status.LOCKED)

    page.goto(f"{live_server.url}/comptes/login/")
    page.get_by_role("link", name="Mot de passe oublié ?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mot de passe oublié")
    assert_accessible(page)
    page.get_by_label("Identifiant académique").fill("prof.demo")
    page.get_by_label("NUMEN").fill(NUMEN.lower())
    page.get_by_label("Date de naissance").fill(BIRTH.isoformat())
    page.get_by_role("button", name="Continuer").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Saisissez le code reçu")
    # Where the code went, masked: recognisable, not readable.
    expect(page.locator("main")).to_contain_text("adresse de secours, c•••@laposte.example.")
    assert_accessible(page)
    page.get_by_label("Code reçu").fill("0000 0000")
    page.get_by_role("button", name="Vérifier le code").click()
    expect(page.get_by_role("alert")).to_contain_text("Ce code est faux")
    page.get_by_label("Code reçu").fill(code_in(captured_mail_to(PERSONAL)))
    page.get_by_role("button", name="Vérifier le code").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Choisissez un nouveau mot de passe")
    assert_accessible(page)
    page.get_by_label("Nouveau mot de passe", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirmation du nouveau mot de passe").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Enregistrer le nouveau mot de passe").click()

    expect(page.get_by_role("status")).to_contain_text("Votre nouveau mot de passe est enregistré")
    page.get_by_label("Identifiant académique ou adresse électronique").fill("prof.demo")
    page.get_by_label("Mot de passe").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Boîte de réception")
    prof.refresh_from_db()
    assert prof.status == User.Status.ACTIVE
    wait_for(lambda: CHANGED in inbox_subjects("prof.demo"))


def test_support_agent_unlocks_a_colleague(live_server, page, prof):
    agent = make_person("support.demo", category=User.Category.IT_SUPPORT, first_name="Sam",
                        last_name="Support")  # fmt: skip
    User.objects.filter(pk=prof.pk).update(status=User.Status.LOCKED)

    page.goto(f"{live_server.url}/comptes/login/")
    sign_in_with_code(page, "support.demo", phone_of(agent))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Boîte de réception")

    page.goto(f"{live_server.url}/support/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Chercher un compte")
    assert_accessible(page)
    page.get_by_label("Nom, identifiant, adresse, établissement (nom ou UAI) ou NUMEN").fill(
        "Martin"
    )
    page.get_by_role("button", name="Rechercher").click()
    row = page.get_by_role("row", name="Camille Martin")
    expect(row).to_contain_text("Verrouillé")
    assert_accessible(page)
    row.get_by_role("link", name="Camille Martin").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Camille Martin")
    assert_accessible(page)
    unlock = page.locator("form", has=page.get_by_role("button", name="Déverrouiller"))
    unlock.get_by_role("button", name="Déverrouiller").click()
    # The browser refuses an empty reason before anything is sent.
    prof.refresh_from_db()
    assert prof.status == User.Status.LOCKED
    unlock.get_by_label("Motif (obligatoire)").fill("Appel de Camille, identité vérifiée.")
    unlock.get_by_role("button", name="Déverrouiller").click()

    expect(page.get_by_role("status")).to_contain_text("C'est fait")
    expect(page.locator(".fr-badge").first).to_have_text("Actif")
    assert_accessible(page)
    prof.refresh_from_db()
    assert prof.status == User.Status.ACTIVE
    told = "Support informatique : votre compte a été déverrouillé"
    assert prof.notices.get().title == told
    wait_for(lambda: told in inbox_subjects("prof.demo"))  # and by mail, in their mailbox
