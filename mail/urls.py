from django.urls import path

from mail import views

app_name = "mail"

urlpatterns = [
    path("", views.home, name="home"),
    path("boite/<int:mailbox_id>/dossier/<path:folder>/", views.folder, name="folder"),
    path("boite/<int:mailbox_id>/message/<path:folder>/<int:uid>/", views.message, name="message"),
]
