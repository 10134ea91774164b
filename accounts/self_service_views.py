"""Pages about one's own account: the history of its events, the forced password change."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import audit
from accounts.audit_log import describe
from accounts.sessions import end_other_sessions


@login_required
def history(request):
    events = [(event, describe(event)) for event in request.user.events.all()[:200]]
    return render(request, "accounts/history.html", {"events": events})


@login_required
@require_http_methods(["GET", "POST"])
def must_change_password(request):
    """After a temporary password from IT support: a new one before anything else."""
    if not request.user.must_change_password:
        return redirect("mail:home")
    form = SetPasswordForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        if request.user.check_password(form.cleaned_data["new_password1"]):
            form.add_error("new_password1", _("Choose a password different from the temporary "
                                              "one."))  # fmt: skip
        else:
            user = form.save(commit=False)
            user.must_change_password = False
            user.save(update_fields=["password", "must_change_password"])
            update_session_auth_hash(request, user)
            end_other_sessions(user, current_key=request.session.session_key)
            audit.record(audit.Kind.PASSWORD_CHANGED, user=user, request=request,
                         after="temporary_password")  # fmt: skip
            messages.success(request, _("Your new password is saved."))
            return redirect("mail:home")
    return render(request, "accounts/must_change_password.html", {"form": form})
