"""TLS on every mail port with a certificate (here the self-signed one `make run` makes too):
STARTTLS on both SMTP ports, implicit TLS for submission (465) and IMAP (993), AUTH only inside
TLS when GATEWAY_REQUIRE_TLS is on, and a start refused on TLS settings that cannot work."""

import imaplib
import smtplib
import ssl

import pytest
from django.conf import settings
from django.test import override_settings

from convergence.checks import check_tls_files
from devstack.loopback import free_port
from mail.models import SpooledMessage
from mail.pipeline.gateway import submission_controller
from tests.conftest import PASSWORD, build_message, unique_subject, wait_for


def _client_context() -> ssl.SSLContext:
    return ssl.create_default_context(cafile=settings.TLS_CERT_FILE)


@pytest.fixture
def tls_stack(mail_stack, gateway, dovecot):
    yield


def test_submission_over_starttls_and_over_implicit_tls(tls_stack, prof):
    subject = unique_subject("Chiffré")
    with smtplib.SMTP("localhost", settings.GATEWAY_SUBMISSION_PORT) as smtp:
        smtp.starttls(context=_client_context())
        smtp.login(prof.username, PASSWORD)
        smtp.send_message(build_message(to=prof.email, subject=subject, sender=prof.email))
    with smtplib.SMTP_SSL("localhost", settings.GATEWAY_SUBMISSIONS_PORT,
                          context=_client_context()) as smtp:  # fmt: skip
        assert smtp.sock.version().startswith("TLS")
        smtp.login(prof.username, PASSWORD)
        smtp.send_message(build_message(to=prof.email, subject=f"{subject} bis", sender=prof.email))
    wait_for(lambda: SpooledMessage.objects.filter(submitted_by=prof).count() == 2)


def test_the_inbound_port_offers_starttls(tls_stack):
    with smtplib.SMTP("localhost", settings.GATEWAY_INBOUND_PORT) as smtp:
        smtp.ehlo()
        assert smtp.has_extn("starttls")
        code, _ = smtp.starttls(context=_client_context())
        assert code == 220


def test_auth_waits_for_tls_when_required(tls_stack, prof):
    port = free_port()
    with override_settings(GATEWAY_REQUIRE_TLS=True):
        controller = submission_controller(port)
    controller.start()
    try:
        with smtplib.SMTP("localhost", port) as smtp:
            smtp.ehlo()
            assert not smtp.has_extn("auth")
            code, reply = smtp.docmd("AUTH", "PLAIN AHByb2YuZGVtbwB4")
            assert code == 538, reply
            smtp.starttls(context=_client_context())
            smtp.login(prof.username, PASSWORD)
    finally:
        controller.stop()


def test_imap_over_implicit_tls_and_starttls(tls_stack, prof):
    with imaplib.IMAP4_SSL("localhost", settings.IMAPS_PORT, ssl_context=_client_context()) as imap:
        assert imap.login(prof.username, PASSWORD)[0] == "OK"
    with imaplib.IMAP4("localhost", settings.IMAP_PORT) as imap:
        imap.starttls(ssl_context=_client_context())
        assert imap.login(prof.username, PASSWORD)[0] == "OK"


def test_tls_settings_that_cannot_work_stop_the_start(tmp_path):
    with override_settings(GATEWAY_REQUIRE_TLS=True, TLS_CERT_FILE="", TLS_KEY_FILE=""):
        assert [e.id for e in check_tls_files()] == ["convergence.E005"]
    missing = str(tmp_path / "absent.pem")
    with override_settings(TLS_CERT_FILE=missing, TLS_KEY_FILE=settings.TLS_KEY_FILE):
        assert [e.id for e in check_tls_files()] == ["convergence.E006"]
    assert check_tls_files() == []
