"""The notices every public service carries, readable without signing in."""

from django.urls import path

from pages import legal

urlpatterns = [
    path("accessibilite/", legal.accessibility, name="accessibility"),
    path("mentions-legales/", legal.legal_notice, name="legal_notice"),
    path("donnees-personnelles/", legal.personal_data, name="personal_data"),
]
