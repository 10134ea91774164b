"""Which browser is this? A long-lived signed cookie and the browser family, remembered per
person; an unusual sign-in (new country; new device with 2FA or after wrong passwords)
brings a «nouvelle connexion» notice, one a day per kind. Countries come from the local
database read by accounts.geoip.
"""

import hashlib
import re
import secrets

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts import account_mail, audit, notices
from accounts.geoip import country_name, country_of
from accounts.mfa_policy import has_second_factor
from accounts.models import KnownDevice

COOKIE_NAME = "cv_device"
COOKIE_SALT = "accounts.devices"
COOKIE_MAX_AGE = 400 * 24 * 3600  # the longest browsers keep a cookie

_BROWSERS = [  # order matters: Edge and Opera also say «Chrome», Chrome also says «Safari»
    ("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Thunderbird/", "Thunderbird"),
    ("Chrome/", "Chrome"), ("Chromium/", "Chromium"), ("Safari/", "Safari"),
]
_SYSTEMS = [
    ("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"), ("Windows", "Windows"),
    ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"),
]


def describe(user_agent: str) -> str:
    """«Firefox sur Windows»: the browser family and system, enough to recognise a device."""
    browser = next((name for marker, name in _BROWSERS if marker in user_agent), None)
    system = next((name for marker, name in _SYSTEMS if re.search(marker, user_agent)), None)
    if browser and system:
        return _("%(browser)s on %(system)s") % {"browser": browser, "system": system}
    return browser or system or _("Unknown device")


class DeviceCookieMiddleware:
    """Gives every browser a random device id in a signed cookie, kept for 400 days. It is
    handed out on the sign-in pages only (allauth's URLs), the only place it is read."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        device_id = request.get_signed_cookie(COOKIE_NAME, default=None, salt=COOKIE_SALT)
        is_new = device_id is None
        request.device_id = device_id or secrets.token_urlsafe(24)
        response = self.get_response(request)
        if is_new and request.path.startswith(_sign_in_prefix()):
            response.set_signed_cookie(
                COOKIE_NAME, request.device_id, salt=COOKIE_SALT, max_age=COOKIE_MAX_AGE,
                httponly=True, samesite="Lax", secure=settings.SESSION_COOKIE_SECURE,
            )  # fmt: skip
        return response


def _sign_in_prefix() -> str:
    return reverse("account_login").rsplit("/", 2)[0] + "/"  # /comptes/


def _device_hash(device_id: str) -> str:
    return hashlib.sha256(device_id.encode()).hexdigest()


def check_sign_in_device(request, user, *, ip: str | None, session_id: int | None,
                         failures: int = 0) -> bool:
    """Remembers this browser for ``user``; tells the person (and returns True) only when the
    sign-in is unusual: from a new country, from a new device of an account with a second
    factor, or from a new device right after ``failures`` wrong passwords. A new browser
    alone is not: the shared computers of a salle des professeurs would flood the inbox.
    Every new device is in the audit log all the same.

    The very first device of an account brings nothing: there is nothing to compare with.
    """
    device_id = getattr(request, "device_id", None) or secrets.token_urlsafe(24)
    with account_mail.in_language_of(user):  # stored and compared in one language
        label = describe(request.META.get("HTTP_USER_AGENT", ""))
    known = KnownDevice.objects.filter(user=user, device_hash=_device_hash(device_id)).first()
    # The same cookie in another kind of browser is a copied cookie, not the same device.
    is_new = known is None or known.label != label
    devices = list(KnownDevice.objects.filter(user=user).values_list("last_ip", flat=True))
    had_devices = bool(devices)
    # A country none of this person's devices was last seen from (unknown ones don't count).
    country = country_of(ip)
    seen = {country_of(last_ip) for last_ip in devices} - {None}
    new_country = country is not None and bool(seen) and country not in seen
    KnownDevice.objects.update_or_create(
        user=user, device_hash=_device_hash(device_id), defaults={"label": label, "last_ip": ip}
    )
    if not (is_new or new_country) or not had_devices:
        return False
    audit.record(audit.Kind.NEW_DEVICE, user=user, request=request, device=label,
                 country=country, new_country=new_country, failures=failures)  # fmt: skip
    if new_country:
        kind = "new_country"
    elif failures >= settings.NEW_SIGN_IN_NOTICE_AFTER_FAILURES:
        kind = "after_failures"
    elif has_second_factor(user):
        kind = "new_device"
    else:
        return False
    _tell(user, kind, request=request, label=label, ip=ip, country=country, failures=failures,
          session_id=session_id)
    return True


def _tell(user, kind: str, *, request, label: str, ip: str | None, country: str | None,
          failures: int, session_id: int | None) -> None:
    link = reverse("accounts:not_me", args=[session_id]) if session_id else ""
    with account_mail.in_language_of(user):
        # Written for its reader: their language and time zone, not the browser's.
        when = formats.date_format(timezone.localtime(), "DATETIME_FORMAT")
        title = _("New sign-in to your account")
        body = _("Someone signed in to your account on %(when)s from %(device)s (address "
                 "%(ip)s). If it was you, there is nothing to do. If it was not you, end that "
                 "session and change your password at once.") % {
            "when": when, "device": label, "ip": ip or "?"}
        if kind == "new_country":
            title = _("Sign-in to your account from another country")
            body = _("This address is in a country (%(country)s) your account is not used "
                     "from.") % {"country": country_name(country)} + " " + body
        elif kind == "after_failures":
            title = _("Sign-in to your account after wrong passwords or codes")
            body = ngettext(
                "%(failures)s wrong password or code was typed for your account just before.",
                "%(failures)s wrong passwords or codes were typed for your account just before.",
                failures) % {"failures": failures} + " " + body
        notice = notices.notify_grouped(
            user, kind, title, body, link, _("It was not me") if link else "",
            summarise=lambda count: ngettext(
                "%(count)s such sign-in today. The latest:",
                "%(count)s such sign-ins today. The latest:", count) % {"count": count},
        )
        if notice is None:
            return  # the day's notice of this kind now counts it; it was mailed already
        # Also by mail, to the recovery address too: someone else in the mailbox could
        # delete the notice there.
        mail_body = f"{body}\n\n{settings.PUBLIC_BASE_URL}{link}" if link else body
        account_mail.queue(to=[user.email, *([user.recovery_email] if user.recovery_email
                                              else [])], subject=title, body=mail_body)
