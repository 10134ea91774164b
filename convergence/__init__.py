"""Convergence: an academic webmail on a real IMAP/SMTP backend."""

from convergence.celery import app as celery_app

__all__ = ["celery_app"]
