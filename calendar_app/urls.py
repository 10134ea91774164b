"""/agenda/: the views, events by calendar and file name, calendars."""

from django.urls import path
from django.views.generic import RedirectView

from calendar_app import (
    freebusy_views,
    invitation_views,
    preference_views,
    room_admin_views,
    room_views,
    school_views,
    share_views,
    subscription_views,
    views,
)

app_name = "calendar_app"
_event = "evenement/<str:calendar>/<str:href>/"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="calendar_app:week", permanent=False),
         name="home"),  # fmt: skip
    path("semaine/", views.agenda, {"view": "semaine"}, name="week"),
    path("vue/<str:view>/", views.agenda, name="view"),
    path("evenement/nouveau/", views.event_new, name="event_new"),
    path(_event, views.event_detail, name="event"),
    path(f"{_event}modifier/", views.event_edit, name="event_edit"),
    path(f"{_event}supprimer/", views.event_delete, name="event_delete"),
    path(f"{_event}export.ics", views.event_export, name="event_export"),
    path("importer/", views.import_ics, name="import"),
    path("invitation/repondre/", invitation_views.answer, name="invitation_answer"),
    path("salles/", room_views.free_rooms, name="rooms"),
    path("salles/<int:room_id>/", room_views.room_agenda, name="room"),
    path("salles/demandes/", room_views.waiting, name="room_requests"),
    path("salles/demandes/<int:booking_id>/", room_views.decide, name="room_decide"),
    path("salles/gestion/", room_admin_views.manage, name="room_manage"),
    path("salles/gestion/<str:uai>/nouvelle/", room_admin_views.create, name="room_create"),
    path("salles/gestion/salle/<int:room_id>/", room_admin_views.edit, name="room_edit"),
    path("recherche/", views.search, name="search"),
    path("disponibilites/", freebusy_views.availability, name="availability"),
    path("calendrier-scolaire/", school_views.school_calendar, name="school"),
    path("calendriers/", views.calendar_list, name="calendars"),
    path("calendriers/<str:name>/", views.calendar_edit, name="calendar"),
    path("calendriers/<str:name>/export.ics", views.calendar_export, name="calendar_export"),
    path("calendriers/<str:name>/affichage/", views.calendar_visibility, name="visibility"),
    path("preferences/", preference_views.preferences, name="preferences"),
    path("abonnements/", subscription_views.subscriptions_page, name="subscriptions"),
    path("abonnements/<str:name>/actualiser/", subscription_views.refresh,
         name="subscription_refresh"),  # fmt: skip
]

_shared = "partage/<str:owner>/<str:name>/"
urlpatterns += [
    path("calendriers/<str:name>/partage/", share_views.calendar_shares, name="calendar_shares"),
    path("calendriers/<str:name>/partage/<int:share_id>/retirer/", share_views.share_remove,
         name="share_remove"),  # fmt: skip
    path(f"{_shared}affichage/", share_views.shared_visibility, name="shared_visibility"),
    path(f"{_shared}nouveau/", share_views.shared_event_new, name="shared_event_new"),
    path(f"{_shared}evenement/<str:href>/", share_views.shared_event, name="shared_event"),
    path(f"{_shared}evenement/<str:href>/modifier/", share_views.shared_event_edit,
         name="shared_event_edit"),  # fmt: skip
    path(f"{_shared}evenement/<str:href>/repondre/", share_views.shared_answer,
         name="shared_answer"),  # fmt: skip
    path("boite/<int:mailbox_id>/creer/", share_views.functional_create,
         name="functional_create"),  # fmt: skip
]
