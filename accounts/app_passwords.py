"""App passwords: one per phone or desktop client, shown once, revocable, checked by Dovecot too.

``abcd-efgh-jkmn-pqrs``: four groups of four from 31 unambiguous characters (about 79 bits).
The first group is the public prefix Dovecot's SQL passdb uses to find the row (it sees the
typed password as ``%w``); the whole password is verified against an Argon2id hash.
"""

import secrets
import time
from datetime import UTC, datetime

from django.contrib.auth.hashers import check_password, make_password
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts import audit
from accounts.models import AppPassword, AppPasswordUse, User

ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read aloud or copied by hand
GROUPS = 4
GROUP_LENGTH = 4
PREFIX_LENGTH = GROUP_LENGTH  # keep in step with deploy/dovecot-sql-app-passwords.conf.ext
MAX_ACTIVE = 20


class TooManyAppPasswords(Exception):
    pass


def _generate() -> str:
    return "-".join(
        "".join(secrets.choice(ALPHABET) for _ in range(GROUP_LENGTH)) for _ in range(GROUPS)
    )


def looks_like_app_password(password: str) -> bool:
    groups = password.split("-")
    return (
        len(groups) == GROUPS
        and all(len(g) == GROUP_LENGTH for g in groups)
        and all(c in ALPHABET for c in password.replace("-", ""))
    )


def active(user: User):
    return AppPassword.objects.filter(user=user, revoked_at__isnull=True).select_related("use")


def last_used(app_password: AppPassword) -> datetime | None:
    try:
        return datetime.fromtimestamp(app_password.use.used_at, UTC)
    except AppPasswordUse.DoesNotExist:
        return None


def create_app_password(*, user: User, label: str, request=None) -> tuple[AppPassword, str]:
    """Returns the row and the password in clear: the only time anyone sees it."""
    if active(user).count() >= MAX_ACTIVE:
        raise TooManyAppPasswords
    for _attempt in range(10):
        password = _generate()
        try:
            with transaction.atomic():
                app_password = AppPassword.objects.create(
                    user=user,
                    label=label,
                    prefix=password[:PREFIX_LENGTH],
                    password=make_password(password),
                )
        except IntegrityError:  # the same prefix twice for one person: draw again
            continue
        audit.record(audit.Kind.APP_PASSWORD, user=user, request=request, action="created",
                     app_password=app_password.pk, label=label)  # fmt: skip
        return app_password, password
    raise RuntimeError("could not draw a unique app password prefix")


def revoke_app_password(*, user: User, app_password_id: int, request=None) -> bool:
    """Revokes one of ``user``'s own app passwords; False when there is no such active one."""
    app_password = active(user).filter(pk=app_password_id).first()
    if app_password is None:
        return False
    AppPassword.objects.filter(pk=app_password.pk).update(revoked_at=timezone.now())
    audit.record(audit.Kind.APP_PASSWORD, user=user, request=request, action="revoked",
                 app_password=app_password.pk, label=app_password.label)  # fmt: skip
    return True


def revoke_all(user: User, *, request=None, actor: User | None = None, reason: str = "") -> int:
    """Revokes every app password of ``user`` (IT support, a compromised account)."""
    ids = list(active(user).values_list("pk", flat=True))
    if ids:
        AppPassword.objects.filter(pk__in=ids).update(revoked_at=timezone.now())
        audit.record(audit.Kind.APP_PASSWORD, user=user, request=request, actor=actor,
                     reason=reason, action="revoked_all", app_passwords=ids)  # fmt: skip
    return len(ids)


def authenticate_app_password(login: str, password: str) -> User | None:
    """The account whose active app password this is (submission port), or None."""
    if not looks_like_app_password(password):
        return None
    login = login.strip().lower()
    candidates = AppPassword.objects.filter(
        Q(user__username=login) | Q(user__email__iexact=login),
        prefix=password[:PREFIX_LENGTH],
        revoked_at__isnull=True,
    ).select_related("user")
    for app_password in candidates:
        if app_password.user.can_log_in and check_password(password, app_password.password):
            mark_used(app_password)
            return app_password.user
    return None


def mark_used(app_password: AppPassword) -> None:
    AppPasswordUse.objects.update_or_create(
        app_password=app_password, defaults={"used_at": int(time.time())}
    )
