"""Password hashing that Dovecot can verify too."""

from django.contrib.auth.hashers import Argon2PasswordHasher


class DovecotArgon2Hasher(Argon2PasswordHasher):
    """Argon2id with parallelism 1: libsodium, which Dovecot uses, only computes p=1.

    Django stores ``argon2$argon2id$v=19$m=…,t=…,p=1$salt$hash``; Dovecot's SQL passdb reads the
    same column as ``{ARGON2ID}$argon2id$…`` (deploy/dovecot-sql.conf.ext.template).
    """

    time_cost = 3
    memory_cost = 65536
    parallelism = 1
