"""Failed sign-ins: a growing delay per account and per IP, then a lock that support or
recovery lifts.

Counters live in the database (LoginThrottle), so every process sees the same ones and a
Redis restart forgets none; the lock itself is the account's status, which Dovecot and the
gateway read too. A login that
matches no account is counted under what was typed and gets exactly the same delays, so the
form never tells whether an account exists.
"""

import hashlib
import math
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import audit, notices
from accounts.account_mail import in_language_of
from accounts.models import LoginThrottle, User


@dataclass(frozen=True)
class Subject:
    """Who the counters are about: the account when the login matches one, else the text."""

    key: str
    user: User | None
    login: str


def find_account(login: str) -> User | None:
    login = login.strip()
    if not login:
        return None
    return User.objects.filter(Q(username__iexact=login) | Q(email__iexact=login)).first()


def subject_for(login: str) -> Subject:
    user = find_account(login)
    # What was typed may hold anything: the key carries its digest.
    typed = hashlib.sha256(login.strip().lower().encode()).hexdigest()
    key = f"user:{user.pk}" if user else f"login:{typed}"
    return Subject(key=key, user=user, login=login.strip())


def delay_for(failures: int, threshold: int) -> int:
    """Seconds to wait after this many failures: none below the threshold, then doubling."""
    if failures < threshold:
        return 0
    doublings = min(failures - threshold, 20)
    return min(settings.LOGIN_FIRST_DELAY_SECONDS * 2**doublings, settings.LOGIN_MAX_DELAY_SECONDS)


def seconds_to_wait(subject: Subject, request=None, *, ip: str | None = None) -> int:
    """``ip`` for the mail ports, which have no HTTP request."""
    now = timezone.now()
    ip = audit.client_ip(request) if request is not None else ip
    keys = [subject.key] + ([f"ip:{ip}"] if ip else [])
    until = LoginThrottle.objects.filter(key__in=keys, wait_until__gt=now).aggregate(
        until=Max("wait_until")
    )["until"]
    return math.ceil((until - now).total_seconds()) if until else 0


def _count(key: str, threshold: int) -> int:
    now = timezone.now()
    window = timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    with transaction.atomic():
        row, _ = LoginThrottle.objects.select_for_update().get_or_create(
            key=key, defaults={"window_ends": now + window}
        )
        if row.window_ends <= now:  # a new window: the old failures no longer count
            row.failures, row.window_ends, row.wait_until = 0, now + window, None
        row.failures += 1
        delay = delay_for(row.failures, threshold)
        if delay:
            row.wait_until = now + timedelta(seconds=delay)
        row.save()
    return row.failures


def register_failure(subject: Subject, *, request=None, ip: str | None = None,
                     kind=audit.Kind.LOGIN_FAILED, **details) -> None:
    """Count one wrong answer (password, recovery answer or code), and lock when too many.
    The mail ports (IMAP, SMTP submission) give ``ip`` and ``channel`` instead of a request."""
    failures = _count(subject.key, settings.LOGIN_DELAY_AFTER_FAILURES)
    ip = audit.client_ip(request) if request is not None else ip
    if ip:
        _count(f"ip:{ip}", settings.LOGIN_IP_DELAY_AFTER_FAILURES)
    audit.record(kind, user=subject.user, request=request, ip=ip,
                 login="" if subject.user else subject.login, failures=failures, **details)
    if subject.user is not None and failures >= settings.LOGIN_LOCK_AFTER_FAILURES:
        lock(subject.user, request=request, failures=failures)


def lock(user: User, *, request=None, failures: int) -> None:
    locked = User.objects.filter(pk=user.pk, status=User.Status.ACTIVE).update(
        status=User.Status.LOCKED
    )
    if not locked:
        return  # already locked, suspended or disabled
    user.status = User.Status.LOCKED
    audit.record(audit.Kind.LOCKED, user=user, request=request, failures=failures)
    with in_language_of(user):
        notices.notify(
            user,
            _("Your account was locked"),
            _("Too many wrong passwords, codes or recovery answers were typed for your "
              "account. If it was not you, tell your établissement's IT referent. To unlock "
              "it, use «Mot de passe oublié» on the sign-in page or ask the IT referent."),
        )


def failure_count(user: User) -> int:
    """Wrong answers for this account still remembered (LOGIN_FAILURE_WINDOW_SECONDS)."""
    row = LoginThrottle.objects.filter(
        key=f"user:{user.pk}", window_ends__gt=timezone.now()
    ).first()
    return row.failures if row else 0


def register_success(user: User, *, request=None) -> None:
    # The sign-in itself is audited once, with its second factor, by the user_logged_in
    # receiver in accounts/security_receivers.py.
    reset(user)


def reset(user: User) -> None:
    """After a successful sign-in, a recovery or an unlock by support: start from zero."""
    LoginThrottle.objects.filter(key=f"user:{user.pk}").delete()


def forget_expired() -> int:
    """Counters whose window and wait are over count nothing any more: deleted, so the
    addresses and logins they name are kept no longer than «Données personnelles» says."""
    now = timezone.now()
    deleted, _ = LoginThrottle.objects.filter(
        Q(wait_until__isnull=True) | Q(wait_until__lte=now), window_ends__lte=now
    ).delete()
    return deleted


def mark_waiting(request, seconds: int) -> None:
    """The page still shows its form with the message, answered as 429 with Retry-After
    (accounts.middleware.LockoutStatusMiddleware)."""
    request.lockout_wait = seconds


def wait_message(seconds: int) -> str:
    minutes = max(1, (seconds + 59) // 60)
    return _(
        "Too many attempts. Wait %(minutes)s min before trying again, or use «Mot de passe "
        "oublié»."
    ) % {"minutes": minutes}

