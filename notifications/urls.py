from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.preferences, name="preferences"),
    path("nouveaux/", views.new_mail, name="new_mail"),
]
