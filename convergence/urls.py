"""Top-level URL map."""

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from accounts import mobile
from mail.webmail.views import shared
from pages import errors, legal

# The admin signs in through the site's own sign-in (lockout, second factor), never its own
# form; signed-in people who are not staff get the 403 page.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = admin.site.site_title = "Convergence"

handler400 = errors.bad_request
handler403 = errors.permission_denied
handler404 = errors.page_not_found
handler429 = errors.too_many_requests  # allauth's rate limits look it up here
handler500 = errors.server_error

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
    path("accessibilite/", legal.accessibility, name="accessibility"),
    path("mentions-legales/", legal.legal_notice, name="legal_notice"),
    path("donnees-personnelles/", legal.personal_data, name="personal_data"),
]
