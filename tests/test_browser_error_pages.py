"""Error pages with DEBUG off, in headless Chromium: French, the site's header, a plain
explanation and a way back (DSFR's error page pattern)."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from accounts.models import User
from devstack.loopback import free_port
from mail.imap import close_all_sessions
from tests.conftest import PASSWORD, assert_accessible, make_person

pytestmark = [pytest.mark.browser]


def sign_in(page, live_server, login="prof.demo"):
    page.goto(f"{live_server.url}/comptes/login/")
    page.get_by_label("Identifiant académique ou adresse électronique").fill(login)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("link", name="Mon compte")).to_have_count(1)


def expect_error_page(page, heading: str, status: int) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page.get_by_text(f"Erreur {status}", exact=True)).to_be_visible()
    expect(page.get_by_role("banner").get_by_text("Convergence")).to_be_visible()
    expect(page.get_by_role("link", name="Retour à ma boîte de réception")).to_be_visible()
    assert "Not Found" not in page.content() and "Server Error" not in page.content()
    assert_accessible(page)


def test_404_and_403_pages_keep_the_header_and_lead_back(live_server, page, transactional_db,
                                                         settings):
    assert settings.DEBUG is False
    make_person("prof.demo")
    sign_in(page, live_server)
    response = page.goto(f"{live_server.url}/mail/cette-page-n-existe-pas/")
    assert response.status == 404
    expect_error_page(page, "Page non trouvée", 404)
    expect(page.get_by_role("link", name="Mon compte")).to_be_visible()

    response = page.goto(f"{live_server.url}/support/")
    assert response.status == 403
    expect_error_page(page, "Accès refusé", 403)
    page.get_by_role("link", name="Retour à ma boîte de réception").click()
    expect(page).to_have_url(re.compile(r"/mail/"))


def test_500_page_is_french(live_server, page, transactional_db, settings):
    settings.ROOT_URLCONF = "tests.error_urls"
    response = page.goto(f"{live_server.url}/panne/")
    assert response.status == 500
    expect_error_page(page, "Erreur inattendue", 500)


def test_the_database_out_of_reach_gives_the_503_page_not_the_500(live_server, page,
                                                                  transactional_db, settings):
    settings.ROOT_URLCONF = "tests.error_urls"
    response = page.goto(f"{live_server.url}/base-indisponible/")
    assert response.status == 503
    expect_error_page(page, "Service indisponible", 503)
    expect(page.get_by_role("link", name="Réessayer")).to_be_visible()


def test_an_expired_form_gets_the_csrf_page_not_django_s(live_server, page, transactional_db):
    make_person("prof.demo")
    sign_in(page, live_server)
    page.context.clear_cookies(name="csrftoken")
    page.get_by_role("button", name="Se déconnecter").click()
    expect_error_page(page, "Formulaire expiré", 403)
    expect(page.get_by_text("Rien n’a été envoyé", exact=False)).to_be_visible()


def test_mail_store_down_gives_the_503_page(live_server, page, transactional_db, settings):
    make_person("prof.demo")
    sign_in(page, live_server)
    settings.IMAP_PORT = free_port()  # nothing listens there
    close_all_sessions()  # a request still in flight cannot hand its session back now
    response = page.goto(f"{live_server.url}/mail/")
    assert response.status == 503
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Votre messagerie est temporairement indisponible"
    )
    expect(page.get_by_text("Erreur 503", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Mon compte")).to_be_visible()
    assert_accessible(page)


def test_429_from_a_rate_limit_is_the_french_page(live_server, page, transactional_db):
    make_person("prof.demo")
    sign_in(page, live_server)
    page.goto(f"{live_server.url}{reverse('account_change_password')}")
    statuses = []
    # allauth allows five password changes a minute per person; the sixth is refused.
    for _ in range(6):
        page.get_by_label("Mot de passe actuel").fill("faux")
        page.get_by_label("Nouveau mot de passe", exact=True).fill("x")
        page.get_by_label("Nouveau mot de passe, une seconde fois").fill("x")
        with page.expect_response(lambda answer: answer.request.method == "POST") as answer:
            page.get_by_role("button", name="Changer mon mot de passe").click()
        statuses.append(answer.value.status)
        if statuses[-1] == 429:
            break
    assert statuses == [200] * 5 + [429]
    expect_error_page(page, "Trop de requêtes", 429)
    expect(page.get_by_role("link", name="Réessayer")).to_be_visible()
    assert "Too Many Requests" not in page.content()


def test_400_is_french(transactional_db):
    answer = Client(HTTP_ACCEPT_LANGUAGE="fr").get("/", HTTP_HOST="intrus.example")
    assert answer.status_code == 400
    html = answer.content.decode()
    assert "<h1>Requête incomprise</h1>" in html and "Erreur 400" in html
    assert 'class="fr-header"' in html and "Retour à ma boîte de réception" in html


def test_admin_signs_in_through_the_site_only(transactional_db):
    client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    answer = client.get("/admin/login/?next=/admin/")
    # Not the admin's own form, which would skip the lockout and the second factor.
    assert answer.status_code == 302 and answer["Location"].startswith("/comptes/login/")
    client.force_login(make_person("prof.demo"))
    answer = client.get("/admin/", follow=True)
    assert answer.status_code == 403 and "<h1>Accès refusé</h1>" in answer.content.decode()
    assert 'href="/admin/"' not in client.get(reverse("mail:home"), follow=True).content.decode()
    staff = make_person("admin.demo", category=User.Category.IT_SUPPORT, is_staff=True,
                        is_superuser=True)
    client.force_login(staff)
    admin = client.get("/admin/")
    assert admin.status_code == 200 and 'lang="fr"' in admin.content.decode()
    # Its one way in: the support console's menu, for staff only.
    console = client.get(reverse("support:search")).content.decode()
    assert 'href="/admin/">Administration technique</a>' in console
    support = make_person("support.demo", category=User.Category.IT_SUPPORT)
    client.force_login(support)
    assert 'href="/admin/"' not in client.get(reverse("support:search")).content.decode()


def test_the_admins_own_form_signs_no_one_in(transactional_db):
    """A staff password posted to /admin/login/ is not checked there: the second factor and
    the lockout live in the site's sign-in only."""
    make_person("admin.demo", category=User.Category.IT_SUPPORT, is_staff=True,
                is_superuser=True)  # fmt: skip
    client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    form = {"username": "admin.demo", "password": PASSWORD, "next": "/admin/"}
    answer = client.post("/admin/login/?next=/admin/", form)
    assert answer.status_code == 302 and answer["Location"].startswith("/comptes/login/")
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/")["Location"].startswith("/admin/login/")
