from django.urls import path

from accounts import recovery_views, self_service_views, views

app_name = "accounts"

urlpatterns = [
    path("preferences/", views.preferences, name="preferences"),
    path("langue/", views.language, name="language"),
    path("", views.account, name="account"),
    path("avis/", views.notice_list, name="notices"),
    path("historique/", self_service_views.history, name="history"),
    path("nouveau-mot-de-passe/", self_service_views.must_change_password,
         name="must_change_password"),
    path("adresse-de-secours/", recovery_views.recovery_address, name="recovery_address"),
    path("recuperation/", recovery_views.start, name="recovery"),
    path("recuperation/code/", recovery_views.code, name="recovery_code"),
    path("recuperation/mot-de-passe/", recovery_views.new_password, name="recovery_password"),
]
