"""Account pages: preferences, language, notices, the «Mon compte» overview."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import notices
from accounts.forms import PreferencesForm
from accounts.models import Preferences


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    form = PreferencesForm(request.POST or None, instance=Preferences.of(request.user))
    if request.method == "POST" and form.is_valid():
        form.save()
        response = redirect("accounts:preferences")
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, form.cleaned_data["language"],
                            samesite="Lax")  # fmt: skip
        translation.activate(form.cleaned_data["language"])  # the message below, in it
        messages.success(request, _("Your preferences are saved."))
        return response
    return render(request, "accounts/preferences.html", {"form": form})


@require_POST
def language(request):
    """The header's language switch: remembered in the preferences of a signed-in person."""
    code = request.POST.get("language", "")
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    response = redirect(target)
    if code in dict(settings.LANGUAGES):
        if request.user.is_authenticated:
            Preferences.objects.filter(user=request.user).update(language=code)
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, code, samesite="Lax")
    return response


@login_required
def account(request):
    """One page gathering everything about signing in and keeping the account safe."""
    return render(request, "accounts/account.html")


@login_required
def notice_list(request):
    items = list(request.user.notices.all()[:100])
    notices.mark_all_read(request.user)
    return render(request, "accounts/notices.html", {"notices": items})
