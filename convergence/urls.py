"""Top-level URL map: every app's URLs are included by name, so the project package
imports no app."""

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

# The admin signs in through the site's own sign-in (lockout, second factor), never its own
# form; signed-in people who are not staff get the 403 page.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = admin.site.site_title = "Convergence"

handler400 = "pages.errors.bad_request"
handler403 = "pages.errors.permission_denied"
handler404 = "pages.errors.page_not_found"
handler429 = "pages.errors.too_many_requests"  # allauth's rate limits look it up here
handler500 = "pages.errors.server_error"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="mail:home", permanent=False)),
    # Recovery never goes through the academic mailbox: allauth's reset-by-mail is replaced.
    path("comptes/password/reset/", RedirectView.as_view(pattern_name="accounts:recovery")),
    path("comptes/", include("allauth.urls")),
    path("compte/", include("accounts.urls")),
    path("", include("accounts.autoconfig_urls")),
    # CalDAV/CardDAV: discovery without authentication, then Radicale behind /dav/.
    path("", include("dav.urls")),
    path("agenda/", include("calendar_app.urls")),
    path("contacts/", include("contacts.urls")),
    path("mail/", include("mail.urls")),
    path("mail/equipe/", include("shared_mailboxes.urls")),
    path("notifications/", include("notifications.urls")),
    path("partage/", include("mail.webmail.share_urls")),
    path("admin/", admin.site.urls),
    path("support/", include("support.urls")),
    path("annuaire/", include("directory.urls")),
    path("", include("pages.urls")),
]
