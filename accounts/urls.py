from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("preferences/", views.preferences, name="preferences"),
    path("langue/", views.language, name="language"),
    path("", views.account, name="account"),
    path("avis/", views.notice_list, name="notices"),
]
