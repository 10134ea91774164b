"""Django's makemigrations, without the production start checks (convergence/checks.py):
writing migrations only reads the models, so a plain checkout on development defaults may
run it. The model and database checks still run."""

from django.core.checks import Tags
from django.core.checks.registry import registry
from django.core.management.commands import makemigrations


class Command(makemigrations.Command):
    requires_system_checks = sorted(set(registry.tags_available()) - {Tags.security})
