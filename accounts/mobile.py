"""Setting up a phone or a desktop client: the settings page, Thunderbird's autoconfig
document and an Apple configuration profile. None of them holds a password."""

import plistlib
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.mfa_policy import has_second_factor

# Thunderbird's names for the connection security (autoconfig socketType).
SOCKET_TYPES = {"ssl": "SSL", "starttls": "STARTTLS", "none": "plain"}
PROFILE_NAMESPACE = uuid.UUID("8a4f3c52-2d9e-4a57-9b0e-6a1c0e7d5f21")


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    security: str  # ssl, starttls, none

    @property
    def socket_type(self) -> str:
        return SOCKET_TYPES.get(self.security, "plain")

    @property
    def security_label(self) -> str:
        return {"ssl": _("SSL/TLS"), "starttls": _("STARTTLS")}.get(self.security, _("None"))


def imap_server() -> Server:
    return Server(settings.MAIL_CLIENT_IMAP_HOST, settings.MAIL_CLIENT_IMAP_PORT,
                  settings.MAIL_CLIENT_IMAP_SECURITY)  # fmt: skip


def smtp_server() -> Server:
    return Server(settings.MAIL_CLIENT_SMTP_HOST, settings.MAIL_CLIENT_SMTP_PORT,
                  settings.MAIL_CLIENT_SMTP_SECURITY)  # fmt: skip


@login_required
def setup_page(request):
    return render(request, "accounts/mobile_setup.html", {
        "imap": imap_server(), "smtp": smtp_server(), "caldav_url": settings.MAIL_CLIENT_CALDAV_URL,
        "second_factor": has_second_factor(request.user),
    })  # fmt: skip


@require_GET
def autoconfig(request):
    """Thunderbird fetches this before anyone signs in: it describes the servers, no account
    (the user name is the address typed in Thunderbird, which Dovecot accepts as a login)."""
    body = render_to_string("accounts/autoconfig.xml", {
        "domains": settings.MAIL_DOMAINS, "imap": imap_server(), "smtp": smtp_server(),
        "caldav_url": settings.MAIL_CLIENT_CALDAV_URL,
    })  # fmt: skip
    return HttpResponse(body, content_type="application/xml; charset=utf-8")


def apple_profile_bytes(user) -> bytes:
    imap, smtp = imap_server(), smtp_server()
    # Stable identifiers: installing the profile again replaces the previous one.
    profile_uuid = str(uuid.uuid5(PROFILE_NAMESPACE, f"profile:{user.username}")).upper()
    mail_uuid = str(uuid.uuid5(PROFILE_NAMESPACE, f"mail:{user.username}")).upper()
    identifier = ".".join(reversed(settings.MAIL_DOMAIN.split("."))) + ".convergence"
    mail_payload = {
        "PayloadType": "com.apple.mail.managed",
        "PayloadVersion": 1,
        "PayloadIdentifier": f"{identifier}.mail.{user.username}",
        "PayloadUUID": mail_uuid,
        "PayloadDisplayName": _("Academic mail"),
        "EmailAccountDescription": _("Academic mail"),
        "EmailAccountName": user.get_full_name() or user.username,
        "EmailAccountType": "EmailTypeIMAP",
        "EmailAddress": user.email,
        "IncomingMailServerAuthentication": "EmailAuthPassword",
        "IncomingMailServerHostName": imap.host,
        "IncomingMailServerPortNumber": imap.port,
        "IncomingMailServerUseSSL": imap.security != "none",
        "IncomingMailServerUsername": user.username,
        "OutgoingMailServerAuthentication": "EmailAuthPassword",
        "OutgoingMailServerHostName": smtp.host,
        "OutgoingMailServerPortNumber": smtp.port,
        "OutgoingMailServerUseSSL": smtp.security != "none",
        "OutgoingMailServerUsername": user.username,
        # No password in the file: the phone asks for an app password at installation.
        "OutgoingPasswordSameAsIncomingPassword": True,
    }
    payloads = [mail_payload]
    if settings.MAIL_CLIENT_CALDAV_URL:
        payloads.append(_dav_payload(user, identifier, "CalDAV", _("Academic agenda")))
        payloads.append(_dav_payload(user, identifier, "CardDAV", _("Academic contacts")))
    profile = {
        "PayloadType": "Configuration",
        "PayloadVersion": 1,
        "PayloadIdentifier": f"{identifier}.{user.username}",
        "PayloadUUID": profile_uuid,
        "PayloadDisplayName": _("Convergence: academic mail"),
        "PayloadDescription": _("Settings of the academic mail for %(address)s.")
        % {"address": user.email},
        "PayloadOrganization": "Convergence",
        "PayloadContent": payloads,
    }
    return plistlib.dumps(profile, fmt=plistlib.FMT_XML)


def _dav_payload(user, identifier: str, kind: str, description: str) -> dict:
    """An agenda ("CalDAV") or address book ("CardDAV") account: the same server serves both
    under the same address, and the phone asks for the same app password."""
    url = urlsplit(settings.MAIL_CLIENT_CALDAV_URL)
    secure, name = url.scheme == "https", kind.lower()
    return {
        "PayloadType": f"com.apple.{name}.account",
        "PayloadVersion": 1,
        "PayloadIdentifier": f"{identifier}.{name}.{user.username}",
        "PayloadUUID": str(uuid.uuid5(PROFILE_NAMESPACE, f"{name}:{user.username}")).upper(),
        "PayloadDisplayName": description,
        f"{kind}AccountDescription": description,
        f"{kind}HostName": url.hostname or "",
        f"{kind}Port": url.port or (443 if secure else 80),
        f"{kind}PrincipalURL": f"{url.path.rstrip('/')}/{user.username}/",
        f"{kind}UseSSL": secure,
        f"{kind}Username": user.username,
    }


@login_required
@require_GET
def apple_profile(request):
    response = HttpResponse(apple_profile_bytes(request.user),
                            content_type="application/x-apple-aspen-config")  # fmt: skip
    response["Content-Disposition"] = 'attachment; filename="convergence.mobileconfig"'
    return response
