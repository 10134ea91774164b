"""Pages of the self-service recovery, and of the recovery address on «Mon compte»."""

import time

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts import lockout, recovery
from accounts.models import User

SESSION_KEY = "account_recovery"


class IdentityForm(forms.Form):
    login = forms.CharField(label=gettext_lazy("Academic login"), max_length=254,
                            help_text=gettext_lazy("For example: jean.dupont"))  # fmt: skip
    numen = forms.CharField(
        label=gettext_lazy("NUMEN"), max_length=20,
        help_text=gettext_lazy("13 characters, on your pay slip or your appointment letter"),
    )  # fmt: skip
    birth_date = forms.DateField(
        label=gettext_lazy("Date of birth"), input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )  # fmt: skip


class CodeForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Code received"), max_length=20,
                           help_text=gettext_lazy("8 digits"))  # fmt: skip


class AddressForm(forms.Form):
    address = forms.EmailField(label=gettext_lazy("Personal e-mail address"),
                               help_text=gettext_lazy("For example: camille.martin@laposte.net"))


def _mismatch_message() -> str:
    return _("These answers do not let us recognise an account. Check the login, the NUMEN and "
             "the date of birth, then try again.")  # fmt: skip


@never_cache
@require_http_methods(["GET", "POST"])
def start(request):
    form = IdentityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = recovery.start(request=request, **form.cleaned_data)
        if outcome.kind == "code_sent":
            request.session[SESSION_KEY] = {
                "code_id": outcome.code_id,
                "sent_to": recovery.mask(outcome.user.recovery_email),
            }
            return redirect("accounts:recovery_code")
        if outcome.kind == "referent":
            return render(request, "accounts/recovery/referent.html")
        if outcome.kind == "wait":
            lockout.mark_waiting(request, outcome.wait)
        form.add_error(None, lockout.wait_message(outcome.wait) if outcome.kind == "wait"
                       else _mismatch_message())  # fmt: skip
    return render(request, "accounts/recovery/start.html", {"form": form})


@never_cache
@require_http_methods(["GET", "POST"])
def code(request):
    state = request.session.get(SESSION_KEY) or {}
    if "code_id" not in state:
        return redirect("accounts:recovery")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = recovery.check_code(code_id=state["code_id"], typed=form.cleaned_data["code"],
                                      request=request)  # fmt: skip
        if outcome.kind == "ok":
            request.session[SESSION_KEY] = {"user_id": outcome.user.pk, "at": time.time()}
            return redirect("accounts:recovery_password")
        if outcome.kind == "wait":
            lockout.mark_waiting(request, outcome.wait)
        form.add_error(None, lockout.wait_message(outcome.wait) if outcome.kind == "wait" else
                       _("This code is wrong, already used or expired. Check it, or start "
                         "again to receive a new one."))  # fmt: skip
    return render(request, "accounts/recovery/code.html",
                  {"form": form, "sent_to": state.get("sent_to", "")})  # fmt: skip


@never_cache
@require_http_methods(["GET", "POST"])
def new_password(request):
    state = request.session.get(SESSION_KEY) or {}
    fresh = time.time() - state.get("at", 0) < 15 * 60
    user = User.objects.filter(pk=state.get("user_id")).first() if fresh else None
    if user is None:
        request.session.pop(SESSION_KEY, None)
        return redirect("accounts:recovery")
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        recovery.finish(user, new_password=form.cleaned_data["new_password1"], request=request)
        request.session.pop(SESSION_KEY, None)
        messages.success(request, _("Your new password is saved and every other session of "
                                    "your account has ended. Sign in with it now."))  # fmt: skip
        return redirect("account_login")
    return render(request, "accounts/recovery/new_password.html", {"form": form})


ADDRESS_SESSION_KEY = "recovery_address_check"


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def recovery_address(request):
    """Register, replace or remove the personal address; it is saved only once verified."""
    user = request.user
    address_form = AddressForm(request.POST if request.POST.get("step") == "send" else None)
    code_form = CodeForm(request.POST if request.POST.get("step") == "check" else None)
    pending = request.session.get(ADDRESS_SESSION_KEY)
    if request.method == "POST":
        step = request.POST.get("step")
        if step == "send" and address_form.is_valid():
            try:
                code_id = recovery.send_address_check(user, address_form.cleaned_data["address"])
            except recovery.AddressRefused as refusal:
                address_form.add_error("address", str(refusal))
            else:
                request.session[ADDRESS_SESSION_KEY] = {
                    "code_id": code_id, "address": address_form.cleaned_data["address"]}
                return redirect("accounts:recovery_address")
        elif step == "check" and pending and code_form.is_valid():
            if recovery.confirm_address(user, code_id=pending["code_id"],
                                        typed=code_form.cleaned_data["code"], request=request):
                request.session.pop(ADDRESS_SESSION_KEY, None)
                messages.success(request, _("Your recovery address is saved."))
                return redirect("accounts:recovery_address")
            code_form.add_error("code", _("This code is wrong, already used or expired."))
        elif step == "remove":
            recovery.remove_address(user, request=request)
            request.session.pop(ADDRESS_SESSION_KEY, None)
            messages.success(request, _("Your recovery address is removed."))
            return redirect("accounts:recovery_address")
        elif step == "cancel":
            request.session.pop(ADDRESS_SESSION_KEY, None)
            return redirect("accounts:recovery_address")
    return render(request, "accounts/recovery_address.html",
                  {"address_form": address_form, "code_form": code_form, "pending": pending})
