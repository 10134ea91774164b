from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo académie, its mail and agenda, seeded by `manage.py seed_demo`; no models."""

    name = "demo"
