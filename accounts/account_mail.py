"""Mail about one's own account (recovery codes, warnings), sent through our own gateway."""

from contextlib import contextmanager
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate, make_msgid

from django.conf import settings
from django.utils import translation

from convergence.queueing import enqueue_on_commit
from mail.transport import smtp


def language_of(user) -> str:
    from accounts.models import Preferences

    stored = Preferences.objects.filter(user=user).values_list("language", flat=True).first()
    return stored or settings.LANGUAGE_CODE


@contextmanager
def in_language_of(user):
    """Notices and mail are read by the account's owner, not by whoever caused them."""
    with translation.override(language_of(user)):
        yield


def build(*, to: list[str], subject: str, body: str) -> bytes:
    message = EmailMessage()
    message["From"] = f"Convergence <{settings.SYSTEM_MAIL_FROM}>"
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=settings.MAIL_DOMAIN)
    # RFC 3834: no vacation reply or other automatic answer to this message.
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body)
    return message.as_bytes(policy=SMTP)


def send_now(*, to: list[str], subject: str, body: str) -> None:
    smtp.submit_system(build(to=to, subject=subject, body=body), recipients=to)


def queue(*, to: list[str], subject: str, body: str) -> None:
    """Sent by the worker once the transaction commits: the page answers at the same speed
    whether or not a message leaves (nothing to learn from the timing)."""
    from accounts.tasks import send_account_mail  # the task module imports this one

    enqueue_on_commit(send_account_mail, to, str(subject), str(body))
