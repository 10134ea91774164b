"""Top-level URL map."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="mail:home", permanent=False)),
    path("comptes/", include("allauth.urls")),
    path("compte/", include("accounts.urls")),
    path("mail/", include("mail.urls")),
    path("admin/", admin.site.urls),
]
