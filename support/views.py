"""The IT-support console (/support/): accounts, their status, audited actions, the log.

Only the «support informatique» category gets in (403 for everyone else, POST included).
"""

from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.audit_log import SUPPORT_ACTIONS, JournalFilter, csv_lines, describe
from accounts.models import User
from mail.webmail.rule_forms import VacationForm
from support import console as support


def support_only(view):
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        support.check_support(request.user)  # PermissionDenied: 403
        return view(request, *args, **kwargs)

    return wrapped


def _reason_field():
    return forms.CharField(
        label=gettext_lazy("Reason (required)"),
        help_text=gettext_lazy("Kept in the audit log; the account's owner sees it in their "
                               "history."),  # fmt: skip
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReasonForm(forms.Form):
    reason = _reason_field()


class SupportAbsenceForm(VacationForm):
    """The owner's own absence form, turned on, with the reason support must give."""

    reason = _reason_field()

    class Meta(VacationForm.Meta):
        fields = ["starts_on", "ends_on", "subject", "body", "days"]


@require_GET
@support_only
def search(request):
    query = request.GET.get("q", "").strip()
    results = support.status_of(support.search_accounts(query)) if query else []
    return render(request, "accounts/support/search.html", {"query": query, "results": results,
                                                               "support_section": "accounts"})


@require_GET
@support_only
def account(request, user_id: int):
    user = get_object_or_404(User.objects.select_related("etablissement"), pk=user_id)
    return _account_page(request, user)


def _account_page(request, user, absence_form=None):
    status = support.status_of([user])[0]
    events = [(event, describe(event)) for event in user.events.select_related("actor")[:20]]
    mail = support.mail_settings_of(user)
    return render(
        request,
        "accounts/support/account.html",
        {"account": user, "status": status, "events": events, "form": ReasonForm(),
         "actions": _available_actions(request.user, status), "support_section": "accounts",
         "mail": mail, "can_act": user.pk != request.user.pk,
         "absence_form": absence_form or SupportAbsenceForm(
             instance=getattr(mail.mailbox, "vacation", None) if mail.mailbox else None)},
    )  # fmt: skip


def _available_actions(actor, status) -> list[tuple[str, str]]:
    user = status.user
    if user.pk == actor.pk:
        return []
    available = ["end_sessions", "secure"]
    if user.status == User.Status.LOCKED:
        available.insert(0, "unlock")
    if user.status in (User.Status.ACTIVE, User.Status.LOCKED):
        available += ["temporary_password", "suspend"]
    if user.status == User.Status.SUSPENDED:
        available.insert(0, "reactivate")
    if status.two_factor:
        available.append("reset_2fa")
    return [(key, SUPPORT_ACTIONS[key]) for key in available]


_DO = {
    "unlock": support.unlock,
    "temporary_password": support.issue_temporary_password,
    "reset_2fa": support.reset_two_factor,
    "reactivate": support.reactivate,
    "suspend": support.suspend,
    "end_sessions": support.end_sessions,
    "secure": support.secure_account,
}


@never_cache
@require_POST
@support_only
def act(request, user_id: int, action: str):
    if action not in _DO:
        raise Http404
    user = get_object_or_404(User, pk=user_id)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for this action."))
        return redirect("support:account", user_id=user.pk)
    try:
        result = _DO[action](actor=request.user, user=user, reason=form.cleaned_data["reason"],
                             request=request)  # fmt: skip
    except support.ActionRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("support:account", user_id=user.pk)
    if action == "temporary_password":
        # Shown in this response only (never_cache: no-store): never stored, nor in a URL.
        return render(request, "accounts/support/temporary_password.html",
                      {"account": user, "password": result, "support_section": "accounts"})
    messages.success(request, _("Done: %(action)s for %(login)s.")
                     % {"action": SUPPORT_ACTIONS[action], "login": user.username})  # fmt: skip
    return redirect("support:account", user_id=user.pk)


@never_cache
@require_POST
@support_only
def absence(request, user_id: int):
    user = get_object_or_404(User.objects.select_related("etablissement"), pk=user_id)
    form = SupportAbsenceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the absence message: something is missing."))
        return _account_page(request, user, absence_form=form)
    data = form.cleaned_data
    try:
        support.set_absence(actor=request.user, user=user, reason=data["reason"],
                            subject=data["subject"], body=data["body"],
                            starts_on=data["starts_on"], ends_on=data["ends_on"],
                            days=data["days"], request=request)  # fmt: skip
    except support.ActionRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("support:account", user_id=user.pk)
    messages.success(request, _("The absence message of %(login)s is on.")
                     % {"login": user.username})  # fmt: skip
    return redirect("support:account", user_id=user.pk)


@require_GET
@support_only
def journal(request):
    form = JournalFilter(request.GET or None)
    events = form.events() if request.GET else JournalFilter({}).events()
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    rows = [(event, describe(event)) for event in page]
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "accounts/support/journal.html",
                  {"form": form, "page": page, "rows": rows, "query": query.urlencode(),
                   "support_section": "journal"})  # fmt: skip


@require_GET
@support_only
def journal_csv(request):
    form = JournalFilter(request.GET)
    response = StreamingHttpResponse(csv_lines(form.events()),
                                     content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="journal-comptes-{stamp}.csv"'
    return response
