"""Reading the audit log: support searches and exports it, each person reads their own."""

import csv
from datetime import date, datetime, time, timedelta

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy

from accounts.models import AccountEvent

RECOVERY_STEPS = {
    "identity_failed": gettext_lazy("answers that do not match"),
    "code_sent": gettext_lazy("code sent to the recovery address"),
    "code_failed": gettext_lazy("wrong or expired code"),
    "no_recovery_address": gettext_lazy("no recovery address: sent to the IT referent"),
    "completed": gettext_lazy("new password chosen"),
    "address_added": gettext_lazy("recovery address checked and saved"),
    "address_removed": gettext_lazy("recovery address removed"),
}


# What the IT-support console (support/) can do, as its audit entries name it.
SUPPORT_ACTIONS = {
    "unlock": gettext_lazy("Unlock"),
    "temporary_password": gettext_lazy("Issue a temporary password"),
    "reset_2fa": gettext_lazy("Reset two-step verification"),
    "reactivate": gettext_lazy("Reactivate"),
    "suspend": gettext_lazy("Suspend"),
    "end_sessions": gettext_lazy("End all sessions"),
    "secure": gettext_lazy("Secure the account"),
    "absence": gettext_lazy("Set an absence message"),
}


def describe(event: AccountEvent) -> str:
    """What happened, in one line, beyond the kind of event."""
    details = event.details or {}
    if event.kind == AccountEvent.Kind.SUPPORT_ACTION:
        return str(SUPPORT_ACTIONS.get(details.get("action"), details.get("action", "")))
    if event.kind in (AccountEvent.Kind.RECOVERY, AccountEvent.Kind.LOGIN_FAILED) and (
        details.get("step") in RECOVERY_STEPS
    ):
        return str(RECOVERY_STEPS[details["step"]])
    if event.kind == AccountEvent.Kind.APP_PASSWORD and details.get("label"):
        return f"« {details['label']} »"
    return ""


class JournalFilter(forms.Form):
    q = forms.CharField(label=gettext_lazy("Account (login, name or e-mail) or login typed"),
                        required=False, max_length=254)  # fmt: skip
    kind = forms.ChoiceField(
        label=gettext_lazy("Event"), required=False,
        choices=[("", gettext_lazy("All events")), *AccountEvent.Kind.choices],
    )  # fmt: skip
    since = forms.DateField(label=gettext_lazy("From (dd/mm/yyyy)"), required=False)
    until = forms.DateField(label=gettext_lazy("To (dd/mm/yyyy)"), required=False)

    def events(self) -> QuerySet[AccountEvent]:
        events = AccountEvent.objects.select_related("user", "actor")
        if not self.is_valid():
            return events.none()
        data = self.cleaned_data
        if data["q"]:
            text = data["q"].strip()
            events = events.filter(
                Q(user__username__icontains=text)
                | Q(user__email__icontains=text)
                | Q(user__last_name__icontains=text)
                | Q(login__icontains=text)
                | Q(actor__username__icontains=text)
            )
        if data["kind"]:
            events = events.filter(kind=data["kind"])
        if data["since"]:
            events = events.filter(created_at__gte=_start_of(data["since"]))
        if data["until"]:
            events = events.filter(created_at__lt=_start_of(data["until"], next_day=True))
        return events


def _start_of(day: date, *, next_day: bool = False) -> datetime:
    if next_day:
        day += timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, time.min))


CSV_HEADER = [
    gettext_lazy("Date"), gettext_lazy("Event"), gettext_lazy("Account"),
    gettext_lazy("Login typed"), gettext_lazy("Done by"), gettext_lazy("Reason"),
    gettext_lazy("Detail"), gettext_lazy("IP address"), gettext_lazy("Device"),
]  # fmt: skip


class _Line:
    """csv.writer wants a file; each row is handed back instead of being kept."""

    def write(self, text: str) -> str:
        return text


def csv_lines(events):
    """Spreadsheet-safe rows, one at a time (the log may be long): a cell starting with
    = + - @ is not run as a formula. A BOM first, for spreadsheet programs to read UTF-8."""
    writer = csv.writer(_Line(), delimiter=";")
    yield "\ufeff" + writer.writerow([str(column) for column in CSV_HEADER])
    for event in events.iterator():
        yield writer.writerow(
            _cell(value)
            for value in (
                timezone.localtime(event.created_at).isoformat(timespec="seconds"),
                event.title,
                event.user.username if event.user else "",
                event.login,
                event.actor.username if event.actor else "",
                event.reason,
                describe(event),
                event.ip or "",
                event.user_agent,
            )
        )


def _cell(value) -> str:
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
