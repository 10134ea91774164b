"""Failed sign-ins: a growing delay per account and per IP, then a lock that support or
recovery lifts.

Counters live in the cache (Redis), so every web process sees the same ones; the lock itself
is the account's status in the database, which Dovecot and the gateway read too. A login that
matches no account is counted under what was typed and gets exactly the same delays, so the
form never tells whether an account exists.
"""

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts import audit, notices
from accounts.account_mail import in_language_of
from accounts.models import User


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


def _failures_key(key: str) -> str:
    return f"lockout:failures:{key}"


def _until_key(key: str) -> str:
    return f"lockout:until:{key}"


def delay_for(failures: int, threshold: int) -> int:
    """Seconds to wait after this many failures: none below the threshold, then doubling."""
    if failures < threshold:
        return 0
    doublings = min(failures - threshold, 20)
    return min(settings.LOGIN_FIRST_DELAY_SECONDS * 2**doublings, settings.LOGIN_MAX_DELAY_SECONDS)


def seconds_to_wait(subject: Subject, request=None) -> int:
    now = time.time()
    ip = audit.client_ip(request) if request is not None else None
    keys = [_until_key(subject.key)] + ([_until_key(f"ip:{ip}")] if ip else [])
    until = max((value for value in cache.get_many(keys).values()), default=0)
    return max(0, int(until - now + 0.999))


def _count(key: str, threshold: int) -> int:
    window = settings.LOGIN_FAILURE_WINDOW_SECONDS
    cache.add(_failures_key(key), 0, window)
    failures = cache.incr(_failures_key(key))
    delay = delay_for(failures, threshold)
    if delay:
        cache.set(_until_key(key), time.time() + delay, delay)
    return failures


def register_failure(subject: Subject, *, request=None, kind=audit.Kind.LOGIN_FAILED,
                     **details) -> None:
    """Count one wrong answer (password, recovery answer or code), and lock when too many."""
    failures = _count(subject.key, settings.LOGIN_DELAY_AFTER_FAILURES)
    ip = audit.client_ip(request) if request is not None else None
    if ip:
        _count(f"ip:{ip}", settings.LOGIN_IP_DELAY_AFTER_FAILURES)
    audit.record(kind, user=subject.user, request=request,
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
            _("Too many wrong passwords or recovery answers were typed for your account. "
              "If it was not you, tell your établissement's IT referent. To unlock it, use "
              "«Mot de passe oublié» on the sign-in page or ask the IT referent."),
        )


def failure_count(user: User) -> int:
    """Wrong answers for this account still remembered (LOGIN_FAILURE_WINDOW_SECONDS)."""
    return cache.get(_failures_key(f"user:{user.pk}"), 0)


def register_success(user: User, *, request=None) -> None:
    # The sign-in itself is audited once, with its second factor, by the user_logged_in
    # receiver in accounts/security_receivers.py.
    reset(user)


def reset(user: User) -> None:
    """After a successful sign-in, a recovery or an unlock by support: start from zero."""
    key = f"user:{user.pk}"
    cache.delete_many([_failures_key(key), _until_key(key)])


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

