"""The IT-support console, under /support/ (the mail app adds its own pages beside these)."""

from django.urls import path

from support import directory_import
from support import views as support_views

app_name = "support"

urlpatterns = [
    path("", support_views.search, name="search"),
    path("comptes/<int:user_id>/", support_views.account, name="account"),
    path("comptes/<int:user_id>/absence/", support_views.absence, name="absence"),
    path("comptes/<int:user_id>/<str:action>/", support_views.act, name="act"),
    path("journal/", support_views.journal, name="journal"),
    path("journal.csv", support_views.journal_csv, name="journal_csv"),
    path("annuaire/import/", directory_import.import_page, name="directory_import"),
]
