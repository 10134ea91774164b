"""What phones and desktop clients are told about the agenda: the set-up page, Thunderbird's
autoconfig and the Apple profile give the CalDAV address, never a password."""

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


def test_without_a_caldav_address_nothing_is_announced(client, prof, settings):
    settings.MAIL_CLIENT_CALDAV_URL = ""
    assert "caldav" not in client.get("/.well-known/autoconfig/mail/config-v1.1.xml").text
    client.force_login(prof)
    payloads = plistlib.loads(client.get(reverse("accounts:apple_profile")).content)
    assert [p["PayloadType"] for p in payloads["PayloadContent"]] == ["com.apple.mail.managed"]


def test_a_generated_caldav_master_secret_stops_a_production_start(settings):
    from calendar_app.checks import check_caldav_master_secret

    settings.DEBUG, settings.DEVELOPMENT = False, False
    assert [e.id for e in check_caldav_master_secret()] == ["calendar_app.E001"]
    settings.CALDAV_MASTER_SECRET = "set-by-the-deployment"
    assert check_caldav_master_secret() == []
