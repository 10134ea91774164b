from django.urls import path

from accounts import (
    mail_login_views,
    mobile,
    recovery_views,
    security_views,
    self_service_views,
    views,
)

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
    path("historique/", self_service_views.history, name="history"),
    path("nouveau-mot-de-passe/", self_service_views.must_change_password,
         name="must_change_password"),
    path("adresse-de-secours/", recovery_views.recovery_address, name="recovery_address"),
    path("recuperation/", recovery_views.start, name="recovery"),
    path("recuperation/code/", recovery_views.code, name="recovery_code"),
    path("recuperation/mot-de-passe/", recovery_views.new_password, name="recovery_password"),
    path("interne/politique-dovecot/", mail_login_views.dovecot_policy, name="dovecot_policy"),
]
