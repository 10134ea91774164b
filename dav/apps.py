"""The DAV clients, Radicale's plugins, and the one table they keep: how many changes each
collection has seen (dav/changes.py)."""

from django.apps import AppConfig


class DavConfig(AppConfig):
    name = "dav"
    verbose_name = "DAV"
