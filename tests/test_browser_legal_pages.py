"""The footer of every page leads to what a French public service must publish, readable
without signing in, with the académie's own values from the settings."""

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD, assert_accessible

pytestmark = [pytest.mark.browser]


def test_footer_links_lead_to_the_statement_the_notice_and_the_data_page(
    live_server, page, prof, settings
):
    settings.ACADEMIE_NAME = "Académie de Montségur"
    settings.ACADEMIE_DPO_CONTACT = "dpd@ac-montsegur.fr"
    settings.ACADEMIE_HOST = "DSI du rectorat de Montségur"
    settings.ACCESSIBILITY_CONTACT = "accessibilite@ac-montsegur.fr"
    # The durations come from the settings the purge jobs use.
    settings.LOGIN_FAILURE_WINDOW_SECONDS = 12 * 3600
    settings.SHARED_FILE_DAYS = 45
    settings.INACTIVITY_SUSPEND_DAYS = 200
    page.goto(f"{live_server.url}/comptes/login/")
    footer = page.get_by_role("contentinfo")

    footer.get_by_role("link", name="Accessibilité : partiellement conforme").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Déclaration d’accessibilité")
    main = page.locator("main")
    expect(main).to_contain_text("Académie de Montségur s’engage")
    expect(main).to_contain_text("partiellement conforme avec le référentiel général")
    expect(main).to_contain_text("version 4.1")
    expect(main).to_contain_text("axe-core")
    expect(page.get_by_role("heading", name="Contenus non accessibles")).to_be_visible()
    report = main.get_by_role("link", name="accessibilite@ac-montsegur.fr")
    expect(report).to_have_attribute("href", "mailto:accessibilite@ac-montsegur.fr")
    expect(page.get_by_role("heading", name="Voies de recours")).to_be_visible()
    assert_accessible(page)

    footer.get_by_role("link", name="Mentions légales").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mentions légales")
    expect(main).to_contain_text("Académie de Montségur")
    expect(main).to_contain_text("DSI du rectorat de Montségur")
    expect(main).to_contain_text("les agendas et les contacts sont conservés sur les serveurs")
    assert_accessible(page)

    footer.get_by_role("link", name="Données personnelles").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Données personnelles")
    table = page.get_by_role("table")
    for recorded in ("adresse IP", "pays", "Journal d’audit", "Adresse de secours",
                     "spool", "Brouillons", "Avis sur votre compte", "serveur CalDAV",
                     "serveur CardDAV", "Adresses collectées"):
        expect(table).to_contain_text(recorded)
    for kept in ("12 heures", "Le fichier : 45 jours", "inutilisé pendant 200 jours",
                 "Pas d’effacement automatique"):
        expect(table).to_contain_text(kept)
    dpo = main.get_by_role("link", name="dpd@ac-montsegur.fr")
    expect(dpo).to_have_attribute("href", "mailto:dpd@ac-montsegur.fr")
    assert_accessible(page)

    # Signed in, the same footer on every page.
    page.goto(f"{live_server.url}/comptes/login/?next=/compte/")
    page.get_by_label("Identifiant académique ou adresse électronique").fill("prof.demo")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon compte")
    for link, title in (("Accessibilité : partiellement conforme", "Déclaration d’accessibilité"),
                        ("Mentions légales", "Mentions légales"),
                        ("Données personnelles", "Données personnelles")):
        footer.get_by_role("link", name=link).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(title)
        expect(page.get_by_role("banner").get_by_role("link", name="Mon compte")).to_be_visible()
    assert_accessible(page)
