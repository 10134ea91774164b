"""Who a DAV client is: the same rule as IMAP and the submission port, plus the web app's own
master login (``<login>!<CALDAV_MASTER_USER>``), which only the caller may allow."""

import hashlib
import hmac
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model

from accounts.app_passwords import (
    PREFIX_LENGTH,
    active,
    authenticate_app_password,
    looks_like_app_password,
)
from accounts.mfa_policy import has_second_factor

# Not "*" as Dovecot's: Radicale refuses it in user names. Django user names never hold "!".
MASTER_SEPARATOR = "!"


@dataclass(frozen=True)
class Identity:
    username: str
    kind: str  # "account" (its own password), "app" (an app password) or "master"
    password_hash: str = ""  # the account's hash when it was checked


def master_login(username: str) -> str:
    return f"{username}{MASTER_SEPARATOR}{settings.CALDAV_MASTER_USER}"


def check_credentials(login: str, password: str, *, allow_master: bool) -> Identity | None:
    name, _, master = login.rpartition(MASTER_SEPARATOR)
    if name and master == settings.CALDAV_MASTER_USER:
        if not allow_master or not hmac.compare_digest(
            password.encode(), settings.CALDAV_MASTER_SECRET.encode()
        ):
            return None
        user = get_user_model().objects.filter(username=name).first()
        return Identity(user.username, "master") if user is not None and user.can_log_in else None
    if looks_like_app_password(password):
        user = authenticate_app_password(login, password)
        if user is not None:
            return Identity(user.username, "app")
    # Once a second factor is on, the account password alone no longer opens DAV clients.
    user = authenticate(username=login, password=password)
    if user is None or has_second_factor(user):
        return None
    return Identity(user.username, "account", user.password)


def still_valid(identity: Identity, password: str) -> bool:
    """A remembered check holds while nothing that decided it changed: the account is still
    open, its password and second factor as they were, the app password not revoked. These
    are cheap queries; the slow Argon2 verification is what the cache saves."""
    user = get_user_model().objects.filter(username=identity.username).first()
    if user is None or not user.can_log_in:
        return False
    if identity.kind == "account":
        return user.password == identity.password_hash and not has_second_factor(user)
    if identity.kind == "app":
        return active(user).filter(prefix=password[:PREFIX_LENGTH]).exists()
    return True


class SuccessCache:
    """Successful checks remembered for a few seconds: Argon2 is deliberately slow and a phone
    sends a burst of requests. Failures are never cached (a typo fixed works at once)."""

    def __init__(self, seconds: int):
        self.seconds = seconds
        self._entries: dict[bytes, tuple[Identity, float]] = {}
        self._lock = threading.Lock()

    def _key(self, login: str, password: str) -> bytes:
        return hashlib.sha256(f"{login}\0{password}".encode()).digest()

    def get(self, login: str, password: str) -> Identity | None:
        with self._lock:
            identity, expires = self._entries.get(self._key(login, password), (None, 0.0))
        return identity if expires > time.monotonic() else None

    def put(self, login: str, password: str, identity: Identity) -> None:
        now = time.monotonic()
        with self._lock:
            if len(self._entries) > 10_000:
                self._entries = {k: v for k, v in self._entries.items() if v[1] > now}
            self._entries[self._key(login, password)] = (identity, now + self.seconds)
