"""Who a DAV client is: the same rule as IMAP and the submission port, plus the web app's own
master login (``<login>!<CALDAV_MASTER_USER>``), which only the caller may allow."""

import hashlib
import hmac
import threading
import time

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model

from accounts.app_passwords import authenticate_app_password, looks_like_app_password
from accounts.mfa_policy import has_second_factor

# Not "*" as Dovecot's: Radicale refuses it in user names. Django user names never hold "!".
MASTER_SEPARATOR = "!"


def master_login(username: str) -> str:
    return f"{username}{MASTER_SEPARATOR}{settings.CALDAV_MASTER_USER}"


def check_credentials(login: str, password: str, *, allow_master: bool) -> str:
    """The account's user name, or "" when these credentials open nothing."""
    name, _, master = login.rpartition(MASTER_SEPARATOR)
    if name and master == settings.CALDAV_MASTER_USER:
        if not allow_master or not hmac.compare_digest(
            password.encode(), settings.CALDAV_MASTER_SECRET.encode()
        ):
            return ""
        user = get_user_model().objects.filter(username=name).first()
        return user.username if user is not None and user.can_log_in else ""
    if looks_like_app_password(password):
        user = authenticate_app_password(login, password)
        if user is not None:
            return user.username
    # Once a second factor is on, the account password alone no longer opens DAV clients.
    user = authenticate(username=login, password=password)
    return user.username if user is not None and not has_second_factor(user) else ""


class SuccessCache:
    """Successful checks remembered for a few seconds: Argon2 is deliberately slow and a phone
    sends a burst of requests. Failures are never cached (a typo fixed works at once)."""

    def __init__(self, seconds: int):
        self.seconds = seconds
        self._entries: dict[bytes, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def _key(self, login: str, password: str) -> bytes:
        return hashlib.sha256(f"{login}\0{password}".encode()).digest()

    def get(self, login: str, password: str) -> str:
        with self._lock:
            username, expires = self._entries.get(self._key(login, password), ("", 0.0))
        return username if expires > time.monotonic() else ""

    def put(self, login: str, password: str, username: str) -> None:
        now = time.monotonic()
        with self._lock:
            if len(self._entries) > 10_000:
                self._entries = {k: v for k, v in self._entries.items() if v[1] > now}
            self._entries[self._key(login, password)] = (username, now + self.seconds)
