from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from accounts.models import DovecotHome, User


@admin.register(User)
class AcademicUserAdmin(UserAdmin):
    list_display = ["username", "email", "last_name", "first_name", "category", "status"]
    list_filter = ["category", "status", "etablissement"]
    fieldsets = (
        *UserAdmin.fieldsets,
        ("Convergence", {"fields": ("category", "etablissement", "status")}),
    )


def _backend_choices() -> list[tuple[str, str]]:
    return [(name, f"{name} ({host})") for name, host, *_ in settings.DOVECOT_BACKENDS]


class DovecotHomeForm(forms.ModelForm):
    backend = forms.ChoiceField(choices=_backend_choices)

    class Meta:
        model = DovecotHome
        fields = ["imap_user", "backend"]


@admin.register(DovecotHome)
class DovecotHomeAdmin(admin.ModelAdmin):
    """Moving a mailbox here does not move its mail (`doveadm sync` first)."""

    form = DovecotHomeForm

    list_display = ["imap_user", "backend", "assigned_at"]
    list_filter = ["backend"]
    search_fields = ["imap_user"]
