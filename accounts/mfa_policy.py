"""Who must use a second factor, and sending those who have none to enrolment.

The académie's policy (settings): IT support always; the categories in
MFA_REQUIRED_CATEGORIES; and, when TRUSTED_NETWORKS lists the établissements' networks,
everyone signing in from any other address. Someone who has a second factor always gives it.
"""

import ipaddress
from functools import cache

from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.core import context
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.base.forms import AuthenticateForm, ReauthenticateForm
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.forms import ActivateTOTPForm
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts import lockout
from accounts.models import User

# Recovery codes alone are not a second factor: they only come with TOTP (or a security key).
SECOND_FACTORS = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
ENROLMENT_SESSION_KEY = "mfa_enrolment_required"  # read by mfa/totp/activate_form.html


def has_second_factor(user) -> bool:
    return Authenticator.objects.filter(user_id=user.pk, type__in=SECOND_FACTORS).exists()


@cache
def _networks(ranges: tuple[str, ...]):
    return [ipaddress.ip_network(cidr.strip(), strict=False) for cidr in ranges if cidr.strip()]


def is_trusted_address(ip: str | None) -> bool:
    if not ip:
        return False
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    return any(address in network for network in _networks(tuple(settings.TRUSTED_NETWORKS)))


def required_categories() -> set[str]:
    return {User.Category.IT_SUPPORT, *settings.MFA_REQUIRED_CATEGORIES}


def mfa_required(user, ip: str | None) -> bool:
    if user.category in required_categories():
        return True
    return bool(settings.TRUSTED_NETWORKS) and not is_trusted_address(ip)


def client_ip(request) -> str | None:
    # allauth's reading of the address: REMOTE_ADDR unless ALLAUTH_TRUSTED_PROXY_COUNT or
    # ALLAUTH_TRUSTED_CLIENT_IP_HEADER say a proxy in front may be believed.
    try:
        return get_account_adapter(request).get_client_ip(request)
    except Exception:
        return None


def flag_enrolment_if_required(request, user) -> bool:
    """At sign-in: a person who must have a second factor and has none is sent to enrolment."""
    required = mfa_required(user, client_ip(request)) and not has_second_factor(user)
    if required:
        request.session[ENROLMENT_SESSION_KEY] = True
    return required


class MfaEnrolmentMiddleware:
    """Until the flagged person has a second factor, every page leads to the enrolment page."""

    ALLOWED_URL_NAMES = (
        "mfa_activate_totp", "mfa_view_recovery_codes", "mfa_index", "account_reauthenticate",
        "mfa_reauthenticate", "account_logout", "accounts:language",
    )  # fmt: skip

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.user.is_authenticated
            and request.session.get(ENROLMENT_SESSION_KEY)
            and not request.path.startswith(settings.STATIC_URL)
        ):
            if has_second_factor(request.user):
                del request.session[ENROLMENT_SESSION_KEY]
            elif request.path not in {reverse(name) for name in self.ALLOWED_URL_NAMES}:
                return redirect("mfa_activate_totp")
        return self.get_response(request)


class AcademicMFAAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "cannot_delete_authenticator": _(
            "The académie requires two-step verification for your account: it cannot be "
            "turned off."
        ),
        "incorrect_code": _("This code is not right, or it has already been used. Wait for "
                            "the next code in the app and type it."),
    }  # fmt: skip

    def can_delete_authenticator(self, authenticator) -> bool:
        from allauth.core import context

        if authenticator.type not in SECOND_FACTORS:
            return True
        return not mfa_required(authenticator.user, client_ip(context.request))


class SingleUseActivateTOTPForm(ActivateTOTPForm):
    """The code typed to turn TOTP on cannot be typed again to sign in (allauth marks codes
    as used only at sign-in)."""

    def clean_code(self) -> str:
        code = super().clean_code()
        TOTP(Authenticator(user_id=self.user.pk))._mark_code_used(code)
        return code


class _CountedCodes:
    """A wrong second-factor code counts toward the lockout as a wrong password does
    (allauth's own limit, "login_failed", is off), so knowing the password, or finding a
    session left open, does not buy unlimited guesses at a six-digit code: the same delays,
    then the same lock."""

    def clean_code(self) -> str:
        request = context.request
        subject = lockout.subject_for(self.user.username)
        wait = lockout.seconds_to_wait(subject, request)
        if wait:
            lockout.mark_waiting(request, wait)
            raise ValidationError(lockout.wait_message(wait))
        if not User.objects.get(pk=self.user.pk).can_log_in:  # locked during this step
            raise ValidationError(
                _("Your account is locked or suspended. Contact your établissement's IT "
                  "referent.")
            )
        try:
            return super().clean_code()
        except ValidationError:
            lockout.register_failure(subject, request=request, step="code_failed")
            raise


class LockoutAuthenticateForm(_CountedCodes, AuthenticateForm):
    """The sign-in's second step."""


class LockoutReauthenticateForm(_CountedCodes, ReauthenticateForm):
    """«Confirmez que c'est bien vous» by code, before a sensitive change."""
