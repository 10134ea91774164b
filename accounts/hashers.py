"""Password hashing that Dovecot can verify too, with a bound on how many run at once."""

import threading

from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher

_slots: threading.BoundedSemaphore | None = None
_slots_lock = threading.Lock()


def _hashing_slots() -> threading.BoundedSemaphore:
    global _slots
    with _slots_lock:
        if _slots is None:
            _slots = threading.BoundedSemaphore(settings.PASSWORD_HASHING_CONCURRENCY)
        return _slots


class DovecotArgon2Hasher(Argon2PasswordHasher):
    """Argon2id with parallelism 1: libsodium, which Dovecot uses, only computes p=1.

    Django stores ``argon2$argon2id$v=19$m=…,t=…,p=1$salt$hash``; Dovecot's SQL passdb reads the
    same column as ``{ARGON2ID}$argon2id$…`` (deploy/dovecot-sql.conf.ext.template).

    Each hash takes 64 MiB for a tenth of a second (PASSWORD_ARGON2_*): at most
    PASSWORD_HASHING_CONCURRENCY run at once per process, the others wait their turn, so a
    storm of sign-ins cannot take the process's memory (30 at once took it from 100 MB to
    1.7 GB).
    """

    parallelism = 1

    @property
    def time_cost(self) -> int:
        return settings.PASSWORD_ARGON2_TIME_COST

    @property
    def memory_cost(self) -> int:
        return settings.PASSWORD_ARGON2_MEMORY_KIB

    def encode(self, password, salt):
        with _hashing_slots():
            return super().encode(password, salt)

    def verify(self, password, encoded):
        with _hashing_slots():
            return super().verify(password, encoded)
