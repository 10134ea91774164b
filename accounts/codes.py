"""Single-use codes sent to a personal address: 8 digits, 15 minutes, a few tries."""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import OneTimeCode

CODE_DIGITS = 8
TRIES_PER_CODE = 5


def _hash(code: str) -> str:
    normalised = "".join(code.split())
    return hmac.new(settings.SECRET_KEY.encode(), normalised.encode(), hashlib.sha256).hexdigest()


def issue(user, *, purpose: str, sent_to: str) -> tuple[OneTimeCode, str]:
    """A new code replaces any earlier unused one for the same purpose."""
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    now = timezone.now()
    with transaction.atomic():
        OneTimeCode.objects.filter(user=user, purpose=purpose, used_at__isnull=True).update(
            used_at=now
        )
        row = OneTimeCode.objects.create(
            user=user,
            purpose=purpose,
            sent_to=sent_to,
            code_hash=_hash(code),
            expires_at=now + timedelta(minutes=settings.RECOVERY_CODE_MINUTES),
        )
    return row, code


def consume(code_id: int, typed: str) -> OneTimeCode | None:
    """The row if ``typed`` is its code and it is still usable; it is then used up."""
    now = timezone.now()
    with transaction.atomic():
        row = OneTimeCode.objects.select_for_update().filter(id=code_id).first()
        if row is None or row.used_at or row.expires_at <= now:
            return None
        if row.failed_attempts >= TRIES_PER_CODE:
            return None
        if not hmac.compare_digest(row.code_hash, _hash(typed)):
            row.failed_attempts += 1
            row.save(update_fields=["failed_attempts"])
            return None
        row.used_at = now
        row.save(update_fields=["used_at"])
    return row


def format_code(code: str) -> str:
    return f"{code[:4]} {code[4:]}"
