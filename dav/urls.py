"""Discovery (RFC 6764) and the /dav/ pass-through to the CalDAV/CardDAV server."""

from django.urls import path

from dav import proxy

urlpatterns = [
    path(".well-known/caldav", proxy.well_known),
    path(".well-known/carddav", proxy.well_known),
    path("dav/", proxy.dav),
    path("dav/<path:path>", proxy.dav),
]
