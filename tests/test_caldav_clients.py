"""What phones and desktop clients are told about the agenda and the contacts: the set-up page,
Thunderbird's autoconfig and the Apple profile give the CalDAV and CardDAV address, never a
password."""

import plistlib

from django.urls import reverse

from tests.conftest import PASSWORD


def test_autoconfig_profile_and_setup_page_give_the_caldav_address(client, prof, settings):
    settings.MAIL_CLIENT_CALDAV_URL = "https://convergence.ac-demo.test/dav/"
    autoconfig = client.get("/.well-known/autoconfig/mail/config-v1.1.xml").text
    assert '<calendar type="caldav">' in autoconfig
    assert "<serverURL>https://convergence.ac-demo.test/dav/</serverURL>" in autoconfig

    client.force_login(prof)
    assert "https://convergence.ac-demo.test/dav/" in client.get(
        reverse("accounts:mobile_setup")).text  # fmt: skip
    response = client.get(reverse("accounts:apple_profile"))
    assert PASSWORD.encode() not in response.content
    caldav = next(p for p in plistlib.loads(response.content)["PayloadContent"]
                  if p["PayloadType"] == "com.apple.caldav.account")  # fmt: skip
    assert caldav["CalDAVHostName"] == "convergence.ac-demo.test"
    assert caldav["CalDAVPort"] == 443 and caldav["CalDAVUseSSL"] is True
    assert caldav["CalDAVPrincipalURL"] == "/dav/prof.demo/"
    assert caldav["CalDAVUsername"] == "prof.demo"
    assert caldav["CalDAVAccountDescription"] == "Agenda académique"


def test_autoconfig_profile_and_setup_page_give_the_carddav_address(client, prof, settings):
    settings.MAIL_CLIENT_CALDAV_URL = "https://convergence.ac-demo.test/dav/"
    autoconfig = client.get("/.well-known/autoconfig/mail/config-v1.1.xml").text
    book = autoconfig.split('<addressBook type="carddav">')[1].split("</addressBook>")[0]
    assert "<serverURL>https://convergence.ac-demo.test/dav/</serverURL>" in book
    assert "<authentication>http-basic</authentication>" in book

    client.force_login(prof)
    page = client.get(reverse("accounts:mobile_setup")).text
    assert "Contacts (CardDAV)" in page and "https://convergence.ac-demo.test/dav/" in page
    response = client.get(reverse("accounts:apple_profile"))
    carddav = next(p for p in plistlib.loads(response.content)["PayloadContent"]
                   if p["PayloadType"] == "com.apple.carddav.account")  # fmt: skip
    assert carddav["CardDAVHostName"] == "convergence.ac-demo.test"
    assert carddav["CardDAVPort"] == 443 and carddav["CardDAVUseSSL"] is True
    assert carddav["CardDAVPrincipalURL"] == "/dav/prof.demo/"
    assert carddav["CardDAVUsername"] == "prof.demo"
    assert carddav["CardDAVAccountDescription"] == "Contacts académiques"


def test_without_a_caldav_address_nothing_is_announced(client, prof, settings):
    settings.MAIL_CLIENT_CALDAV_URL = ""
    autoconfig = client.get("/.well-known/autoconfig/mail/config-v1.1.xml").text
    assert "caldav" not in autoconfig and "carddav" not in autoconfig
    client.force_login(prof)
    payloads = plistlib.loads(client.get(reverse("accounts:apple_profile")).content)
    assert [p["PayloadType"] for p in payloads["PayloadContent"]] == ["com.apple.mail.managed"]


def test_a_generated_caldav_master_secret_stops_a_production_start(settings):
    from calendar_app.checks import check_caldav_master_secret

    settings.DEBUG, settings.DEVELOPMENT = False, False
    assert [e.id for e in check_caldav_master_secret()] == ["calendar_app.E001"]
    settings.CALDAV_MASTER_SECRET = "set-by-the-deployment"
    assert check_caldav_master_secret() == []
