"""Argon2id takes 64 MiB per hash: a storm of sign-ins waits its turn instead of taking the
process's memory."""

import threading

from django.contrib.auth.hashers import Argon2PasswordHasher, check_password, make_password


def test_at_most_the_configured_number_of_hashes_run_at_once(monkeypatch):
    from django.conf import settings

    limit = settings.PASSWORD_HASHING_CONCURRENCY
    encoded = make_password("Demo-Convergence-2026")
    lock, running, most = threading.Lock(), [0], [0]
    full = threading.Event()
    real_verify = Argon2PasswordHasher.verify

    def counted_verify(self, password, encoded):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
            if running[0] >= limit:
                full.set()
        full.wait(5)  # hold until the slots are all taken, as slow hashes would
        try:
            return real_verify(self, password, encoded)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(Argon2PasswordHasher, "verify", counted_verify)
    results = []
    threads = [
        threading.Thread(target=lambda: results.append(check_password("x" * 12, encoded)))
        for _ in range(limit * 4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [False] * (limit * 4)
    assert most[0] == limit
