"""Every page beyond the mail's list, message and writing form on a phone (390 × 844): the
agenda's views, event form, search, subscriptions and rooms, contacts and their import, the
directory and a person's card, the mail's folders, rules and search, preferences, the account
pages, the support console and the legal notices. Nothing is wider than the screen, and the
page's title (the start of its main content) shows in the top half of the first screen, right
after the header whose menu button leads everywhere else: side panels fold behind a button."""

import re
from datetime import datetime

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from accounts.models import User
from calendar_app import rooms
from contacts import importing
from contacts.models import ContactImport
from demo.agenda import seed_demo_rooms
from mail.imap import imap_session
from mail.models import SpooledMessage
from tests.agenda_helpers import PARIS, empty_store, phone, vevent  # noqa: F401 - fixture
from tests.conftest import (
    PASSWORD,
    assert_accessible,
    build_message,
    deliver,
    make_person,
    phone_of,
    sign_in_with_code,
)
from tests.invitation_helpers import next_tuesday
from tests.test_agenda_subscriptions import FEED, feed_server  # noqa: F401 - fixture
from tests.test_rooms import request

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
    # A row of fields that does not wrap pushes its button off the screen's edge or squeezes
    # it into a column of letters: both within a page no wider than the screen.
    cramped = page.evaluate(
        """(limit) => [...document.querySelectorAll('main button, main .fr-btn')]
            .filter((el) => el.offsetWidth && !el.closest(
                '.fr-collapse:not(.fr-collapse--expanded), .fr-table'))  // tables scroll
            .filter((el) => { const box = el.getBoundingClientRect();
                              return box.right > limit + 1 || box.height > 4 * 24 + 16; })
            .map((el) => el.textContent.trim())""",
        WIDTH,
    )
    if cramped:
        faults.append(f"buttons cut off or squeezed: {cramped}")
    if not page.get_by_role("button", name="Menu").is_visible():
        faults.append("no menu button")
    return faults


def accessibility_faults(page) -> list[str]:
    """axe-core's serious and critical violations, as assert_accessible counts them."""
    violations = Axe().run(page).response["violations"]
    return [f"axe: {v['id']} ({len(v['nodes'])})" for v in violations
            if v["impact"] in ("serious", "critical")]  # fmt: skip


def check_pages(page, live_server, paths) -> dict:
    """Each page at phone width, laid out and passing axe: the faults by path."""
    faults = {}
    for path in paths:
        page.goto(f"{live_server.url}{path}")
        expect(page.locator("main h1").first).to_be_visible()
        if found := layout_faults(page) + accessibility_faults(page):
            faults[path] = found
    return faults


def sign_in(page, live_server, login: str, heading: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/comptes/login/")
    page.get_by_label("Identifiant académique ou adresse électronique").fill(login)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(heading)


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
    # Folded again.
    page.get_by_role("button", name="Agendas").click()
    expect(manage).to_be_hidden()

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


LONG_ADDRESS = "helene-marguerite.dupre-lafontaine@association-des-parents.example.org"
LONG_FOLDER = "Conseils-de-classe-du-deuxième-trimestre-2026-2027"


@pytest.mark.usefixtures("mail_stack")
def test_the_mail_tools_rooms_imports_and_support_fit_a_phone(
        live_server, page, prof, colleague, feed_server, settings):  # noqa: F811  # fmt: skip
    settings.AGENDA_SUBSCRIPTION_ALLOW_LOOPBACK = True  # the feed is served from loopback
    secretary = make_person("secretariat.demo", category=User.Category.ADMIN_STAFF,
                            first_name="Nadia", last_name="Roux")  # fmt: skip
    agent = make_person("support.demo", category=User.Category.IT_SUPPORT, first_name="Sam",
                        last_name="Support")  # fmt: skip
    seed_demo_rooms()
    minibus = rooms.Room.objects.get(email__startswith="minibus.")
    waiting = request(colleague, minibus, next_tuesday(9).replace(tzinfo=None),
                      title="Sortie pédagogique au musée des Augustins avec la seconde 3")
    assert rooms.book(minibus.id, colleague.id, waiting) == "TENTATIVE"
    deliver(prof, build_message(
        to=prof.email, sender=LONG_ADDRESS,
        subject="Conseil de classe du deuxième trimestre : ordre du jour et pièces jointes"))
    mailbox = prof.personal_mailbox
    with imap_session(prof.username) as box:  # a name without a place to break a line
        if LONG_FOLDER not in {folder.name for folder in box.folders()}:
            box.create_folder(LONG_FOLDER)
    csv = ("Prénom,Nom,Adresse électronique,Téléphone,Organisation\n"
           f"Hélène-Marguerite,Dupré-Lafontaine,{LONG_ADDRESS},+33 5 61 00 00 00,"
           "Association des parents d'élèves du lycée Pierre-de-Fermat\n"
           "Jean,Sans-Adresse,pas-une-adresse,,\n").encode()
    preview = importing.start(prof, SimpleUploadedFile("parents-seconde-3.csv", csv))
    report = importing.start(prof, SimpleUploadedFile("parents-premiere-1.csv", csv))
    report.status = ContactImport.Status.RUNNING  # as confirm() does; the test is the worker
    report.save()
    while importing.run_chunk(report.pk):
        pass
    SpooledMessage.objects.create(
        mail_from=LONG_ADDRESS, recipients=[prof.email, colleague.email], size=2048, attempts=12,
        status=SpooledMessage.Status.DEAD,
        last_error="LMTP 451 4.3.0 <prof.demo@ac-demo.test> Temporary internal error: "
                   "mailbox is locked by another process (dovecot-lmtp, pid 4242)")  # fmt: skip

    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    sign_in(page, live_server, "prof.demo", "Boîte de réception")
    page.goto(f"{live_server.url}/agenda/abonnements/")
    page.get_by_label(re.compile("Adresse de l.agenda")).fill(f"{feed_server.url}{FEED}")
    page.get_by_label("Nom").fill("Vacances scolaires de la zone C (Toulouse)")
    page.get_by_role("button", name=re.compile("^S.abonner$")).click()
    expect(page.get_by_role("status")).to_contain_text("Abonnement enregistré")
    box = f"/mail/boite/{mailbox.pk}"
    faults = check_pages(page, live_server, [
        f"{box}/dossiers/", f"{box}/regles/", f"{box}/regles/nouvelle/", f"{box}/absence/",
        f"{box}/transfert/", f"{box}/recherche/", f"{box}/recherche/?text=Conseil",
        "/agenda/recherche/?q=Vacances", "/agenda/abonnements/", "/agenda/salles/",
        f"/agenda/salles/{minibus.pk}/", "/contacts/importer/",
        f"/contacts/importer/{preview.pk}/", f"/contacts/importer/{report.pk}/suivi/",
    ])

    sign_in(page, live_server, "secretariat.demo", "Boîte de réception")
    faults |= check_pages(page, live_server, [
        "/agenda/salles/demandes/", "/agenda/salles/gestion/",
        f"/agenda/salles/gestion/{secretary.etablissement.uai}/nouvelle/",
        f"/agenda/salles/gestion/salle/{minibus.pk}/",
    ])

    page.context.clear_cookies()
    page.goto(f"{live_server.url}/comptes/login/")
    sign_in_with_code(page, "support.demo", phone_of(agent))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Boîte de réception")
    faults |= check_pages(page, live_server, [
        "/support/", "/support/?q=demo", f"/support/comptes/{prof.pk}/", "/support/journal/",
        "/mail/support/courrier-en-echec/", "/support/annuaire/import/",
    ])
    assert not faults, "\n".join(f"{path}: {found}" for path, found in faults.items())
