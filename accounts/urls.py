from django.urls import path

from accounts import mobile, security_views, views

app_name = "accounts"

urlpatterns = [
    path("preferences/", views.preferences, name="preferences"),
    path("langue/", views.language, name="language"),
    path("", views.account, name="account"),
    path("avis/", views.notice_list, name="notices"),
    path("sessions/", security_views.session_list, name="sessions"),
    path("sessions/<int:session_id>/pas-moi/", security_views.not_me, name="not_me"),
    path("mots-de-passe-applications/", security_views.app_password_list, name="app_passwords"),
    path("mots-de-passe-applications/<int:app_password_id>/revoquer/",
         security_views.app_password_revoke, name="app_password_revoke"),  # fmt: skip
    path("messagerie-mobile/", mobile.setup_page, name="mobile_setup"),
    path("messagerie-mobile/profil-apple.mobileconfig", mobile.apple_profile,
         name="apple_profile"),  # fmt: skip
]
