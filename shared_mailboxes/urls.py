from django.urls import path

from shared_mailboxes.views import admin, team

app_name = "shared_mailboxes"

urlpatterns = [
    path("", admin.index, name="index"),
    path("creer/", admin.create, name="create"),
    path("boite/<int:mailbox_id>/membres/", admin.members, name="members"),
    path("boite/<int:mailbox_id>/journal/", admin.journal_page, name="journal"),
    path("boite/<int:mailbox_id>/attribues/", team.assigned, name="assigned"),
    path("boite/<int:mailbox_id>/retrouver/", team.locate, name="locate"),
    path(
        "boite/<int:mailbox_id>/message/<path:folder>/<int:uid>/travail/",
        team.change,
        name="change",
    ),
]
