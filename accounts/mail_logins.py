"""Logins on Dovecot's IMAP port in the web sign-in's lockout, through Dovecot's auth policy
server protocol (Dovecot 2.3: an HTTP POST of JSON before each login and after it).

Before: ``?command=allow`` — a delayed or locked account or IP is refused without the
password being checked. After: ``?command=report`` with ``success`` — a failure counts for
the account and the IP and goes into the account's history, a success starts the count again.
The web app's own logins (``user*master``) are neither counted nor refused.
"""

import hashlib
import hmac

from django.conf import settings

from accounts import lockout

REFUSE = {"status": -1, "msg": "Too many failed logins, try again later."}
ALLOW = {"status": 0, "msg": ""}


def policy_token() -> str:
    """What Dovecot sends in its X-Convergence-Policy header, derived from the master secret
    both sides already hold (Dovecot's configuration holds this token, never the secret)."""
    return hmac.new(
        settings.DOVECOT_MASTER_SECRET.encode(), b"dovecot-auth-policy", hashlib.sha256
    ).hexdigest()


def _internal(request: dict) -> bool:
    """A ``user*master`` login: Dovecot 2.3 sends the user as ``login`` and the master user
    as ``original`` (before the split at the separator)."""
    login, original = str(request.get("login") or ""), str(request.get("original") or "")
    master = settings.DOVECOT_MASTER_USER
    return bool(request.get("master")) or (original == master and login != master)


def answer(command: str, request: dict) -> dict:
    """The policy server's answer to one Dovecot request (its JSON body as a dict)."""
    if _internal(request):
        return ALLOW
    login = str(request.get("login") or "")[:254]
    ip = str(request.get("remote") or "") or None
    subject = lockout.subject_for(login)
    if command == "allow":
        return REFUSE if lockout.seconds_to_wait(subject, ip=ip) else ALLOW
    if command == "report" and not request.get("policy_reject"):
        if request.get("success"):
            if subject.user is not None:
                lockout.register_success(subject.user)
        elif request.get("tried_password", True):
            channel = str(request.get("protocol") or "imap")[:10]
            lockout.register_failure(subject, ip=ip, channel=channel)
    return ALLOW
