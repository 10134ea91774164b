from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from accounts.models import User


@admin.register(User)
class AcademicUserAdmin(UserAdmin):
    list_display = ["username", "email", "last_name", "first_name", "category", "status"]
    list_filter = ["category", "status", "etablissement"]
    fieldsets = (
        *UserAdmin.fieldsets,
        ("Convergence", {"fields": ("category", "etablissement", "status")}),
    )
