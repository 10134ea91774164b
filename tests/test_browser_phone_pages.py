"""Every page beyond the mail on a phone (390 × 844): the agenda's views and event form,
contacts, the directory and a person's card, preferences, the account pages and the legal
notices. Nothing is
wider than the screen, and the page's title (the start of its main content) shows in the
top half of the first screen, right after the header whose menu button leads everywhere
else: side panels fold behind a button."""

import re
from datetime import datetime

import pytest
from playwright.sync_api import expect

from tests.agenda_helpers import PARIS, empty_store, phone, vevent  # noqa: F401 - fixture
from tests.conftest import PASSWORD, assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("empty_store")]

WIDTH, HEIGHT = 390, 844


def layout_faults(page) -> list[str]:
    """What is wrong with the page at phone width: empty when it is fine."""
    faults = []
    width = page.evaluate("document.scrollingElement.scrollWidth")
    if width > WIDTH:
        wide = page.evaluate(
            """(limit) => [...document.querySelectorAll('main *')]
                .filter((el) => el.getBoundingClientRect().right > limit + 1)
                .slice(0, 3).map((el) => el.tagName + '.' + el.className)""",
            WIDTH,
        )
        faults.append(f"{width}px wide ({', '.join(wide)})")
    title = page.locator("main h1").first
    box = title.bounding_box() if title.count() else None
    if box is None or box["y"] > HEIGHT / 2:
        faults.append(f"title not in the top half of the screen ({box})")
    bare = page.evaluate(
        """() => [...document.querySelectorAll('main .fr-btn[class*="fr-icon-"]:not([title])')]
            .filter((el) => el.offsetWidth && el.offsetWidth < 48)
            .map((el) => el.textContent.trim())"""
    )
    if bare:
        faults.append(f"labelled buttons shown as a bare icon: {bare}")
    if not page.get_by_role("button", name="Menu").is_visible():
        faults.append("no menu button")
    return faults


def test_every_page_fits_a_phone(live_server, page, prof, colleague):
    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    page.goto(f"{live_server.url}/comptes/login/?next=/agenda/vue/semaine/%3Fdate%3D2026-11-16")
    page.get_by_label("Identifiant académique ou adresse électronique").fill("prof.demo")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Semaine 47")
    # The personal calendar exists once its owner has signed in.
    calendar = phone(live_server, "prof.demo", PASSWORD).calendar(
        url=f"{live_server.url}/dav/prof.demo/personnel/"
    )
    calendar.save_event(vevent(
        "conseil-2026-11-19", "Conseil de classe de la seconde 3 avec les délégués",
        datetime(2026, 11, 19, 17, 0, tzinfo=PARIS), datetime(2026, 11, 19, 18, 30, tzinfo=PARIS),
        "LOCATION:Salle du conseil, bâtiment administratif\r\n",
    ))
    page.reload()
    page.get_by_role("link", name=re.compile("Conseil de classe de la seconde 3")).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Conseil de classe")
    event = page.url.removeprefix(live_server.url)
    # The calendars fold behind a button, as the mail's folders do.
    manage = page.get_by_role("link", name="Gérer les agendas")
    expect(manage).to_be_hidden()
    page.get_by_role("button", name="Agendas").click()
    expect(manage).to_be_visible()

    page.goto(f"{live_server.url}/contacts/nouveau/")
    page.get_by_label("Prénom").fill("Hélène-Marguerite")
    page.get_by_label("Nom", exact=True).fill("Dupré-Lafontaine")
    page.get_by_label("Adresse électronique 1", exact=True).fill(
        "helene-marguerite.dupre-lafontaine@association-des-parents.example.org"
    )
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hélène-Marguerite Dupré-Lafontaine")
    card = page.url.removeprefix(live_server.url)

    paths = [
        "/agenda/vue/semaine/?date=2026-11-19", "/agenda/vue/jour/?date=2026-11-19",
        "/agenda/vue/mois/?date=2026-11-19", "/agenda/evenement/nouveau/", event,
        f"{event}modifier/", "/agenda/calendriers/", "/agenda/preferences/",
        "/contacts/", "/contacts/nouveau/", card, "/contacts/groupes/",
        "/annuaire/", "/annuaire/?q=bernard", f"/annuaire/personne/{colleague.pk}/",
        "/annuaire/etablissement/0311234Y/",
        "/compte/preferences/", "/compte/", "/compte/avis/", "/compte/sessions/",
        "/compte/historique/", "/compte/mots-de-passe-applications/",
        "/compte/messagerie-mobile/", "/compte/adresse-de-secours/",
        "/comptes/password/change/", "/accessibilite/", "/mentions-legales/",
        "/donnees-personnelles/",
    ]
    faults = {}
    for path in paths:
        page.goto(f"{live_server.url}{path}")
        if found := layout_faults(page):
            faults[path] = found
    assert not faults, faults

    # The content is reachable from the keyboard: the skip link leads into <main>.
    page.goto(f"{live_server.url}/agenda/vue/mois/?date=2026-11-19")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "contenu"
    assert_accessible(page)
