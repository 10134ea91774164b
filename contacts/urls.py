"""/contacts/: the personal address book (cards by address book and file name)."""

from django.urls import path

from contacts import import_views, views

app_name = "contacts"
_card = "<str:book>/<str:href>/"

urlpatterns = [
    path("", views.home, name="home"),
    path("groupes/", views.home, {"section": "groups"}, name="groups"),
    path("collectees/", views.home, {"section": "collected"}, name="collected"),
    path("nouveau/", views.contact_new, name="new"),
    path("groupes/nouveau/", views.group_new, name="group_new"),
    path("doublons/", views.duplicates, name="duplicates"),
    path("collectees/<str:href>/garder/", views.keep, name="keep"),
    path("annuaire/<int:user_id>/ajouter/", views.add_person, name="add_person"),
    path("importer/", import_views.upload, name="import"),
    path("importer/<int:pk>/", import_views.preview, name="import_preview"),
    path("importer/<int:pk>/suivi/", import_views.status, name="import_status"),
    path("exporter/contacts.vcf", import_views.export, {"kind": "vcf"}, name="export_vcf"),
    path("exporter/contacts.csv", import_views.export, {"kind": "csv"}, name="export_csv"),
    path(_card, views.card, name="card"),
    path(f"{_card}modifier/", views.edit, name="edit"),
    path(f"{_card}supprimer/", views.delete, name="delete"),
]
