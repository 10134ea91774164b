"""Top-level URL map: every app's URLs are included by name, so the project package
imports no app."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="mail:home", permanent=False)),
    # Recovery never goes through the academic mailbox: allauth's reset-by-mail is replaced.
    path("comptes/password/reset/", RedirectView.as_view(pattern_name="accounts:recovery")),
    path("comptes/", include("allauth.urls")),
    path("compte/", include("accounts.urls")),
    path("", include("accounts.autoconfig_urls")),
    path("mail/", include("mail.urls")),
    path("mail/equipe/", include("shared_mailboxes.urls")),
    path("notifications/", include("notifications.urls")),
    path("partage/", include("mail.webmail.share_urls")),
    path("admin/", admin.site.urls),
    path("support/", include("support.urls")),
    path("annuaire/", include("directory.urls")),
]
