"""Self-service recovery without the lost mailbox: academic login + NUMEN + date of birth,
then a single-use code sent to the personal recovery address registered in advance.

Wrong answers and wrong codes count toward the lockout (accounts/lockout.py), and no answer
tells which field was wrong or whether the login exists.
"""

import hmac
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext as _

from accounts import account_mail, audit, codes, lockout, notices
from accounts.models import OneTimeCode, User
from accounts.numen import numen_hash
from accounts.sessions import end_other_sessions
from convergence.mail_domains import is_local


@dataclass(frozen=True)
class Outcome:
    """One of: wait (seconds), mismatch, referent (no online recovery), code_sent, ok."""

    kind: str
    wait: int = 0
    user: User | None = None
    code_id: int | None = None


def mask(address: str) -> str:
    """«c•••@laposte.net»: enough to recognise one's own address, not to learn it (not even
    its length)."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}•••@{domain}"


def _matches(user: User | None, numen: str, birth_date: date) -> bool:
    # The NUMEN hash is computed even without an account: the same work either way.
    typed = numen_hash(numen)
    if user is None or not user.numen_hash or user.birth_date is None:
        return False
    return hmac.compare_digest(user.numen_hash, typed) and user.birth_date == birth_date


def start(*, login: str, numen: str, birth_date: date, request) -> Outcome:
    subject = lockout.subject_for(login)
    wait = lockout.seconds_to_wait(subject, request)
    if wait:
        return Outcome("wait", wait=wait)
    user = subject.user
    if not _matches(user, numen, birth_date):
        lockout.register_failure(subject, request=request, kind=audit.Kind.RECOVERY,
                                 step="identity_failed")  # fmt: skip
        return Outcome("mismatch")
    if user.status in (User.Status.SUSPENDED, User.Status.DISABLED) or not user.is_active:
        audit.record(audit.Kind.RECOVERY, user=user, request=request, step="account_unavailable")
        return Outcome("referent", user=user)
    if not user.recovery_email:
        audit.record(audit.Kind.RECOVERY, user=user, request=request, step="no_recovery_address")
        return Outcome("referent", user=user)
    row, code = codes.issue(user, purpose=OneTimeCode.Purpose.RECOVERY, sent_to=user.recovery_email)
    with account_mail.in_language_of(user):
        account_mail.queue(
            to=[user.recovery_email],
            subject=_("Your Convergence recovery code"),
            body=_(
                "Hello,\n\nSomeone (you, we hope) asked to recover the Convergence account "
                "«%(login)s». Your code is:\n\n    %(code)s\n\nIt works once, for %(minutes)s "
                "minutes. If you did not ask for it, ignore this message and tell your "
                "établissement's IT referent.\n"
            ) % {"login": user.username, "code": codes.format_code(code),
                 "minutes": settings.RECOVERY_CODE_MINUTES},
        )  # fmt: skip
    audit.record(audit.Kind.RECOVERY, user=user, request=request, step="code_sent",
                 sent_to=mask(user.recovery_email))  # fmt: skip
    return Outcome("code_sent", user=user, code_id=row.id)


def check_code(*, code_id: int, typed: str, request) -> Outcome:
    """ok (with the account) if the code is right, unused and not expired; a wrong one
    counts as a failed attempt."""
    row = OneTimeCode.objects.select_related("user").filter(
        id=code_id, purpose=OneTimeCode.Purpose.RECOVERY
    ).first()
    if row is None:
        return Outcome("mismatch")
    subject = lockout.subject_for(row.user.username)
    wait = lockout.seconds_to_wait(subject, request)
    if wait:
        return Outcome("wait", wait=wait)
    if codes.consume(code_id, typed) is None:
        lockout.register_failure(subject, request=request, kind=audit.Kind.RECOVERY,
                                 step="code_failed")  # fmt: skip
        return Outcome("mismatch")
    return Outcome("ok", user=row.user)


@transaction.atomic
def finish(user: User, *, new_password: str, request) -> None:
    """New password; a lock is lifted; every session of the account ends."""
    user.set_password(new_password)
    user.must_change_password = False
    if user.status == User.Status.LOCKED:
        user.status = User.Status.ACTIVE
    user.save(update_fields=["password", "must_change_password", "status"])
    lockout.reset(user)
    end_other_sessions(user)
    audit.record(audit.Kind.RECOVERY, user=user, request=request, step="completed")
    with account_mail.in_language_of(user):
        title = _("Your password was changed through account recovery")
        body = _("Every session of your account was ended. If it was not you, tell your "
                 "établissement's IT referent at once.")  # fmt: skip
        notices.notify(user, title, body)
        account_mail.queue(to=[user.email], subject=title, body=body)


# --- Registering the recovery address (signed in) ---------------------------------------------

RESEND_SECONDS = 60


class AddressRefused(Exception):
    pass


def send_address_check(user: User, address: str) -> int:
    """Mail a code to the new address; it is saved only once the code comes back."""
    address = address.strip()
    if is_local(address):
        raise AddressRefused(_(
            "Choose a personal address, not an académie address: recovery must work when you "
            "cannot open your academic mailbox."
        ))
    if not cache.add(f"recovery-address-check:{user.pk}", 1, RESEND_SECONDS):
        raise AddressRefused(_("A code was sent less than a minute ago. Wait a little."))
    row, code = codes.issue(user, purpose=OneTimeCode.Purpose.VERIFY_ADDRESS, sent_to=address)
    account_mail.queue(
        to=[address],
        subject=_("Check your recovery address for Convergence"),
        body=_(
            "Hello,\n\nTo use this address to recover your Convergence account «%(login)s», "
            "type this code on the page that asked for it:\n\n    %(code)s\n\nIt works once, "
            "for %(minutes)s minutes. If you did not ask for it, ignore this message.\n"
        ) % {"login": user.username, "code": codes.format_code(code),
             "minutes": settings.RECOVERY_CODE_MINUTES},
    )  # fmt: skip
    return row.id


def confirm_address(user: User, *, code_id: int, typed: str, request) -> bool:
    row = OneTimeCode.objects.filter(
        id=code_id, user=user, purpose=OneTimeCode.Purpose.VERIFY_ADDRESS
    ).first()
    if row is None or codes.consume(code_id, typed) is None:
        return False
    User.objects.filter(pk=user.pk).update(recovery_email=row.sent_to)
    user.recovery_email = row.sent_to
    audit.record(audit.Kind.RECOVERY, user=user, request=request, step="address_added",
                 address=mask(row.sent_to))  # fmt: skip
    return True


def remove_address(user: User, *, request) -> None:
    User.objects.filter(pk=user.pk).update(recovery_email="")
    user.recovery_email = ""
    audit.record(audit.Kind.RECOVERY, user=user, request=request, step="address_removed")
