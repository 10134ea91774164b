"""What IT support may do to an account; each action is audited with its actor and reason,
and the account's owner is told by a notice (and a mail to their mailbox).

Support never reaches mail content: nothing here opens IMAP or reads a mailbox.
"""

import secrets
import string
from dataclasses import dataclass
from datetime import date, timedelta

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts import account_mail, app_passwords, audit, lockout, notices
from accounts.models import InactivityState, User
from accounts.numen import numen_hash
from accounts.sessions import end_other_sessions
from mail.models import Forwarding, Mailbox, Rule
from mail.pipeline import vacation


class ActionRefused(Exception):
    """The action does not apply to the account in its current state (message for support)."""


def is_support(user) -> bool:
    return (
        user.is_authenticated
        and user.can_log_in
        and user.category == User.Category.IT_SUPPORT
    )


def check_support(user) -> None:
    if not is_support(user):
        raise PermissionDenied


def search_accounts(query: str, *, limit: int = 50) -> QuerySet[User]:
    """By name, login, e-mail, établissement (name or UAI), or NUMEN (matched on its hash)."""
    query = query.strip()
    if not query:
        return User.objects.none()
    words = Q()
    for word in query.split():
        words &= (
            Q(username__icontains=word)
            | Q(email__icontains=word)
            | Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(etablissement__name__icontains=word)
            | Q(etablissement__uai__iexact=word)
        )
    return (
        User.objects.filter(Q(numen_hash=numen_hash(query)) | words)
        .select_related("etablissement")
        .order_by("last_name", "first_name", "username")[:limit]
    )


@dataclass(frozen=True)
class AccountStatus:
    user: User
    two_factor: bool
    recovery_address_set: bool


def status_of(users) -> list[AccountStatus]:
    users = list(users)
    with_mfa = set(
        Authenticator.objects.filter(user__in=users)
        .exclude(type=Authenticator.Type.RECOVERY_CODES)
        .values_list("user_id", flat=True)
    )
    return [AccountStatus(u, u.pk in with_mfa, bool(u.recovery_email)) for u in users]


# --- Actions ---------------------------------------------------------------------------------

TEMPORARY_PASSWORD_LENGTH = 14
# No look-alike characters: the password is read out over the phone or copied by hand.
_ALPHABET = "".join(c for c in string.ascii_letters + string.digits if c not in "0O1lI")


def _tell(user: User, what: str) -> None:
    """The notice and mail say what support did and when; the reason stays in the log."""
    with account_mail.in_language_of(user):
        when = date_format(timezone.localtime(), "DATETIME_FORMAT")
        title = _("IT support: %(what)s") % {"what": what}
        body = _(
            "On %(when)s, the académie's IT support did this on your account: %(what)s. "
            "If you did not ask for it, tell your établissement's IT referent."
        ) % {"when": when, "what": what}
        notices.notify(user, title, body)
        account_mail.queue(to=[user.email], subject=title, body=body)


def _audit(user, actor, reason, action, request, **details) -> None:
    audit.record(audit.Kind.SUPPORT_ACTION, user=user, actor=actor, reason=reason,
                 request=request, action=action, **details)  # fmt: skip


def _check(actor: User, user: User, reason: str) -> str:
    check_support(actor)
    if actor.pk == user.pk:
        raise ActionRefused(_("You cannot act on your own account; ask a colleague."))
    reason = reason.strip()
    if not reason:
        raise ActionRefused(_("Give the reason for this action."))
    return reason


@transaction.atomic
def unlock(*, actor: User, user: User, reason: str, request=None) -> None:
    reason = _check(actor, user, reason)
    if user.status != User.Status.LOCKED:
        raise ActionRefused(_("This account is not locked."))
    User.objects.filter(pk=user.pk).update(status=User.Status.ACTIVE)
    user.status = User.Status.ACTIVE
    lockout.reset(user)
    _audit(user, actor, reason, "unlock", request)
    _tell(user, _("your account was unlocked"))


@transaction.atomic
def issue_temporary_password(*, actor: User, user: User, reason: str, request=None) -> str:
    """Shown once to support, never stored in clear; the owner must change it at sign-in.
    A locked account is unlocked too: that is why one calls support after a lockout."""
    reason = _check(actor, user, reason)
    if user.status in (User.Status.SUSPENDED, User.Status.DISABLED):
        raise ActionRefused(_("Reactivate this account first."))
    password = "".join(secrets.choice(_ALPHABET) for _ in range(TEMPORARY_PASSWORD_LENGTH))
    user.set_password(password)
    user.must_change_password = True
    user.status = User.Status.ACTIVE
    user.save(update_fields=["password", "must_change_password", "status"])
    lockout.reset(user)
    end_other_sessions(user)
    _audit(user, actor, reason, "temporary_password", request)
    _tell(user, _("a temporary password was issued; you will choose a new one when you sign in"))
    return password


@transaction.atomic
def reset_two_factor(*, actor: User, user: User, reason: str, request=None) -> None:
    reason = _check(actor, user, reason)
    deleted, _rows = Authenticator.objects.filter(user=user).delete()
    if not deleted:
        raise ActionRefused(_("Two-step verification is not turned on for this account."))
    _audit(user, actor, reason, "reset_2fa", request)
    _tell(user, _("two-step verification was turned off; you can turn it on again"))


@transaction.atomic
def reactivate(*, actor: User, user: User, reason: str, request=None) -> None:
    reason = _check(actor, user, reason)
    if user.status != User.Status.SUSPENDED:
        raise ActionRefused(_("This account is not suspended."))
    User.objects.filter(pk=user.pk).update(status=User.Status.ACTIVE)
    user.status = User.Status.ACTIVE
    # The inactivity job counts from here, or it would suspend the account again at once.
    InactivityState.objects.update_or_create(
        user=user, defaults={"reactivated_at": timezone.now(), "warned_at": None}
    )
    lockout.reset(user)
    _audit(user, actor, reason, "reactivate", request)
    _tell(user, _("your account was reactivated"))


@transaction.atomic
def suspend(*, actor: User, user: User, reason: str, request=None) -> None:
    reason = _check(actor, user, reason)
    if user.status not in (User.Status.ACTIVE, User.Status.LOCKED):
        raise ActionRefused(_("This account is already suspended or disabled."))
    User.objects.filter(pk=user.pk).update(status=User.Status.SUSPENDED)
    user.status = User.Status.SUSPENDED
    end_other_sessions(user)
    _audit(user, actor, reason, "suspend", request)
    _tell(user, _("your account was suspended"))


@transaction.atomic
def end_sessions(*, actor: User, user: User, reason: str, request=None) -> int:
    reason = _check(actor, user, reason)
    ended = end_other_sessions(user)
    _audit(user, actor, reason, "end_sessions", request, sessions=ended)
    _tell(user, _("you were signed out everywhere"))
    return ended


@dataclass
class MailSettings:
    """What an attacker changes in a mailbox after phishing: where its mail goes. Settings
    only; support never sees a message."""

    mailbox: Mailbox | None
    forwardings: list[Forwarding]
    rules: list[Rule]
    since: object  # created after this: «recent», removed by secure_account

    def is_recent(self, row) -> bool:
        return row.created_at >= self.since


def mail_settings_of(user: User) -> MailSettings:
    since = timezone.now() - timedelta(days=settings.SUPPORT_RECENT_CHANGES_DAYS)
    mailbox = Mailbox.objects.filter(owner=user, kind=Mailbox.Kind.PERSONAL).first()
    if mailbox is None:
        return MailSettings(None, [], [], since)
    return MailSettings(mailbox, list(mailbox.forwardings.order_by("-created_at")),
                        list(mailbox.rules.order_by("-created_at")), since)  # fmt: skip


@transaction.atomic
def secure_account(*, actor: User, user: User, reason: str, request=None) -> dict:
    """After a phishing incident, in one go: every session ended, every app password
    revoked, and the forwardings and sorting rules created recently removed."""
    reason = _check(actor, user, reason)
    found = mail_settings_of(user)
    forwardings = [f for f in found.forwardings if found.is_recent(f)]
    rules = [r for r in found.rules if found.is_recent(r)]
    Forwarding.objects.filter(pk__in=[f.pk for f in forwardings]).delete()
    Rule.objects.filter(pk__in=[r.pk for r in rules]).delete()
    done = {
        "sessions": end_other_sessions(user),
        "app_passwords": app_passwords.revoke_all(user, request=request, actor=actor,
                                                  reason=reason),
        "forwardings_removed": [f.address for f in forwardings],
        "rules_removed": [r.name for r in rules],
    }  # fmt: skip
    _audit(user, actor, reason, "secure", request, **done)
    _tell(user, _("your account was secured (signed out everywhere, app passwords revoked, "
                  "recent forwardings and sorting rules removed)"))  # fmt: skip
    return done


@transaction.atomic
def set_absence(*, actor: User, user: User, reason: str, subject: str, body: str,
                starts_on: date | None, ends_on: date | None, days: int = 7,
                request=None) -> None:
    """For someone on leave who cannot do it themselves."""
    reason = _check(actor, user, reason)
    mailbox = mail_settings_of(user).mailbox
    if mailbox is None:
        raise ActionRefused(_("This account has no mailbox."))
    vacation.set_vacation(mailbox, enabled=True, subject=subject, body=body,
                          starts_on=starts_on, ends_on=ends_on, days=days, by=actor)  # fmt: skip
    _audit(user, actor, reason, "absence", request, starts_on=str(starts_on or ""),
           ends_on=str(ends_on or ""))  # fmt: skip
    _tell(user, _("an absence message was set on your mailbox"))
