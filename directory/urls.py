from django.urls import path

from directory import views

app_name = "directory"

urlpatterns = [
    path("", views.search, name="search"),
    path("resultats/", views.results, name="results"),
    path("suggestions/", views.people_suggestions, name="people_suggestions"),
    path("personne/<int:user_id>/", views.person, name="person"),
    path("etablissement/<str:uai>/", views.etablissement, name="etablissement"),
]
