"""The app's URLconf and its error handlers, plus views that fail: a bug (500) and the
database out of reach (503)."""

from django.db import OperationalError
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


def database_down(request):
    raise OperationalError("connection to server at 127.0.0.1, port 5432 failed")


urlpatterns = [path("panne/", fails), path("base-indisponible/", database_down), *app_urlpatterns]
