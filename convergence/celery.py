"""The Celery application shared by the worker, beat and the web process (to enqueue)."""

import os

from celery import Celery

from convergence import broker  # noqa: F401 - redis:// is its transport (a broker loss fix)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "convergence.settings")

app = Celery("convergence")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
