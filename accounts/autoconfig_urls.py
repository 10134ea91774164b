"""Thunderbird's autoconfig, at both places it looks: included at the site's root, before
the webmail's own mail/ URLs."""

from django.urls import path

from accounts import mobile

urlpatterns = [
    path(".well-known/autoconfig/mail/config-v1.1.xml", mobile.autoconfig, name="autoconfig"),
    path("mail/config-v1.1.xml", mobile.autoconfig),
]
