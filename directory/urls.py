from django.urls import path

from directory import list_views, views

app_name = "directory"

urlpatterns = [
    path("", views.search, name="search"),
    path("resultats/", views.results, name="results"),
    path("suggestions/", views.people_suggestions, name="people_suggestions"),
    path("personne/<int:user_id>/", views.person, name="person"),
    path("etablissement/<str:uai>/", views.etablissement, name="etablissement"),
    path("listes/", list_views.index, name="lists"),
    path("listes/creer/", list_views.create, name="list_create"),
    path("listes/creer/disciplinaire/", list_views.create_discipline,
         name="discipline_list_create"),
    path("listes/<int:list_id>/", list_views.detail, name="list"),
    path("listes/<int:list_id>/modifier/", list_views.act, name="list_act"),
]
