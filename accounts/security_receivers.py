"""What happens at sign-in and on second-factor changes: audit, policy, new-device notice."""

from allauth.account.signals import user_logged_in
from allauth.mfa.signals import authenticator_added, authenticator_removed
from allauth.usersessions.models import UserSession
from django.dispatch import receiver

from accounts import audit, devices, mfa_policy, session_activity


@receiver(user_logged_in)
def on_sign_in(sender, request, user, **kwargs):
    ip = mfa_policy.client_ip(request)
    # The session row allauth.usersessions keeps (get_or_create: its own receiver reuses it).
    UserSession.objects.create_from_request(request, user=user)
    session_activity.written_at_sign_in(request)
    session = UserSession.objects.filter(session_key=request.session.session_key).first()
    second_factor = mfa_policy.has_second_factor(user)
    audit.record(audit.Kind.LOGIN_OK, user=user, request=request, second_factor=second_factor)
    mfa_policy.flag_enrolment_if_required(request, user)
    devices.check_sign_in_device(request, user, ip=ip, session_id=session.pk if session else None,
                                 failures=getattr(request, "failures_before_sign_in", 0))


@receiver(authenticator_added)
def on_second_factor_added(sender, request, user, authenticator, **kwargs):
    if authenticator.type in mfa_policy.SECOND_FACTORS:
        audit.record(audit.Kind.MFA_ENABLED, user=user, request=request, type=authenticator.type)


@receiver(authenticator_removed)
def on_second_factor_removed(sender, request, user, authenticator, **kwargs):
    if authenticator.type in mfa_policy.SECOND_FACTORS:
        audit.record(audit.Kind.MFA_DISABLED, user=user, request=request, type=authenticator.type)
