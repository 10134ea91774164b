"""«Mon compte» security pages: sessions, «ce n'était pas moi», app passwords."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts import app_passwords, sessions
from accounts.mfa_policy import has_second_factor


@login_required
@require_http_methods(["GET", "POST"])
def session_list(request):
    if request.method == "POST":
        if request.POST.get("end") == "others":
            count = sessions.end_other_sessions(
                request.user, current_key=request.session.session_key, request=request
            )
            messages.success(request, _("Other sessions ended: %(n)d.") % {"n": count})
        else:
            session = _own_session(request, request.POST.get("session"))
            if session.session_key == request.session.session_key:
                return redirect("account_logout")
            sessions.end_session(session, request=request)
            messages.success(request, _("The session on %(device)s is ended.")
                             % {"device": session.device})  # fmt: skip
        return redirect("accounts:sessions")
    return render(request, "accounts/sessions.html", {
        "sessions": sessions.list_sessions(request.user),
        "current_key": request.session.session_key,
    })  # fmt: skip


def _own_session(request, session_id):
    try:
        session = sessions.access_session(request.user, int(session_id or ""))
    except ValueError:
        session = None
    if session is None:
        raise Http404(_("This session no longer exists."))
    return session


@login_required
@require_http_methods(["GET", "POST"])
def not_me(request, session_id: int):
    """From the «nouvelle connexion» notice: end that session, then change the password."""
    try:
        session = _own_session(request, session_id)
    except Http404:
        session = None
    if request.method == "POST" and session is not None:
        if session.session_key != request.session.session_key:
            sessions.end_session(session, request=request, reason="not me")
        messages.warning(request, _("That session is ended. Now choose a new password."))
        return redirect("account_change_password")
    is_current = session is not None and session.session_key == request.session.session_key
    return render(request, "accounts/not_me.html", {"session": session, "is_current": is_current})


class AppPasswordForm(forms.Form):
    label = forms.CharField(
        label=gettext_lazy("Name of the device"), max_length=80,
        help_text=gettext_lazy("For example: «Téléphone», «Thunderbird at home»."),
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def app_password_list(request):
    form = AppPasswordForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            created = app_passwords.create_app_password(
                user=request.user, label=form.cleaned_data["label"], request=request
            )
        except app_passwords.TooManyAppPasswords:
            form.add_error(None, _(
                "You already have %(n)d app passwords: revoke the ones you no longer use first."
            ) % {"n": app_passwords.MAX_ACTIVE})
        else:
            form = AppPasswordForm()
    items = list(app_passwords.active(request.user))
    for item in items:
        item.last_used = app_passwords.last_used(item)
    created_row, created_password = created or (None, "")
    response = render(request, "accounts/app_passwords.html", {
        "form": form, "app_passwords": items, "second_factor": has_second_factor(request.user),
        "created": created_row, "created_password": created_password,
    })  # fmt: skip
    response["Cache-Control"] = "no-store"  # the new password must not stay in any cache
    return response


@login_required
@require_POST
def app_password_revoke(request, app_password_id: int):
    if not app_passwords.revoke_app_password(
        user=request.user, app_password_id=app_password_id, request=request
    ):
        raise Http404(_("This app password no longer exists."))
    messages.success(request, _("The app password is revoked: the device using it can no longer "
                                "reach your mail."))  # fmt: skip
    return redirect("accounts:app_passwords")
