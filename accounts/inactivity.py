"""Accounts unused for INACTIVITY_SUSPEND_DAYS are suspended; their owner is warned by mail
INACTIVITY_WARNING_DAYS before, and always gets that much notice.

«Used» is the last web sign-in (User.last_login), or the account's creation, or the last
reactivation by support, whichever is latest. IMAP and SMTP logins are not counted: Dovecot
does not write them anywhere the web app reads.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import DateTimeField, F, Q
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts import account_mail, audit, notices
from accounts.models import InactivityState, User
from accounts.sessions import end_other_sessions


def _with_last_use():
    return User.objects.filter(status=User.Status.ACTIVE, is_active=True).annotate(
        last_use=Greatest(
            Coalesce("last_login", "date_joined"),
            Coalesce("inactivity__reactivated_at", "date_joined"),
            output_field=DateTimeField(),
        ),
        warned_at=F("inactivity__warned_at"),
    )


def run(now=None) -> dict:
    now = now or timezone.now()
    suspend_after = timedelta(days=settings.INACTIVITY_SUSPEND_DAYS)
    notice = timedelta(days=settings.INACTIVITY_WARNING_DAYS)
    accounts = _with_last_use()
    not_warned_since_use = Q(warned_at__isnull=True) | Q(warned_at__lt=F("last_use"))

    warned = 0
    for user in accounts.filter(not_warned_since_use, last_use__lt=now - suspend_after + notice):
        warn(user, suspension_on=max(user.last_use + suspend_after, now + notice), now=now)
        warned += 1

    suspended = 0
    due = accounts.filter(last_use__lt=now - suspend_after, warned_at__gte=F("last_use"),
                          warned_at__lte=now - notice)  # fmt: skip
    for user in due:
        suspended += suspend(user)
    return {"warned": warned, "suspended": suspended}


def warn(user: User, *, suspension_on, now) -> None:
    InactivityState.objects.update_or_create(user=user, defaults={"warned_at": now})
    with account_mail.in_language_of(user):
        subject = _("Your Convergence account will be suspended")
        body = _(
            "Hello,\n\nYour academic mail account «%(login)s» has not been used for a long "
            "time. It will be suspended on %(day)s unless you sign in before "
            "(%(url)s).\n\nOnce suspended, it no longer works anywhere (web, phone, mail "
            "program) until your établissement's IT referent reactivates it.\n"
        ) % {"login": user.username,
             "day": date_format(timezone.localtime(suspension_on), "DATE_FORMAT"),
             "url": settings.PUBLIC_BASE_URL}  # fmt: skip
        recipients = [user.email] + ([user.recovery_email] if user.recovery_email else [])
        account_mail.queue(to=recipients, subject=subject, body=body)


@transaction.atomic
def suspend(user: User) -> int:
    changed = User.objects.filter(pk=user.pk, status=User.Status.ACTIVE).update(
        status=User.Status.SUSPENDED
    )
    if not changed:
        return 0
    end_other_sessions(user)
    audit.record(audit.Kind.SUSPENDED, user=user, last_use=user.last_use.isoformat(),
                 days=settings.INACTIVITY_SUSPEND_DAYS)  # fmt: skip
    with account_mail.in_language_of(user):
        notices.notify(user, _("Your account was suspended for inactivity"),
                       _("It had not been used for %(days)s days.")
                       % {"days": settings.INACTIVITY_SUSPEND_DAYS})  # fmt: skip
    return 1
