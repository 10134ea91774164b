"""Large attachments sent as links: /partage/<token>/, no sign-in (outside the mail/ URLs)."""

from django.urls import path

from mail.webmail.views import shared

urlpatterns = [
    path("<str:token>/", shared.download, name="shared_file"),
]
