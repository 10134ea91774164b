"""Top-level URL map."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from accounts import mobile
from mail.webmail.views import shared

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="mail:home", permanent=False)),
    # Recovery never goes through the academic mailbox: allauth's reset-by-mail is replaced.
    path("comptes/password/reset/", RedirectView.as_view(pattern_name="accounts:recovery")),
    path("comptes/", include("allauth.urls")),
    path("compte/", include("accounts.urls")),
    # Thunderbird's autoconfig, at both places it looks (before the webmail's own mail/ URLs).
    path(".well-known/autoconfig/mail/config-v1.1.xml", mobile.autoconfig, name="autoconfig"),
    path("mail/config-v1.1.xml", mobile.autoconfig),
    path("mail/", include("mail.urls")),
    path("mail/equipe/", include("shared_mailboxes.urls")),
    path("notifications/", include("notifications.urls")),
    path("partage/<str:token>/", shared.download, name="shared_file"),
    path("admin/", admin.site.urls),
    path("support/", include("accounts.support_urls")),
    path("annuaire/", include("directory.urls")),
]
