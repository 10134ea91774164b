"""The app's URLconf and its error handlers, plus one view that fails: the 500 page's test."""

from django.urls import path

from convergence.urls import (  # noqa: F401 (the handlers are looked up on this module)
    handler400,
    handler403,
    handler404,
    handler429,
    handler500,
)
from convergence.urls import (
    urlpatterns as app_urlpatterns,
)


def fails(request):
    raise RuntimeError("a bug")


urlpatterns = [path("panne/", fails), *app_urlpatterns]
