from django.contrib import admin

from calendar_app import rooms
from calendar_app.models import Room


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    """Rooms and equipment: their address is what people invite to book them."""

    list_display = ["name", "kind", "etablissement", "email", "capacity", "policy", "active"]
    list_filter = ["policy", "kind", "active"]
    search_fields = ["name", "email", "etablissement__name", "etablissement__uai"]
    autocomplete_fields = ["etablissement"]
    filter_horizontal = ["managers"]
    fields = ["etablissement", "name", "kind", "email", "capacity", "policy", "managers", "active"]

    def save_model(self, request, obj, form, change):
        obj.email = obj.email.strip().lower()
        obj.calendar = obj.calendar or rooms.calendar_name(obj.email)
        super().save_model(request, obj, form, change)
        rooms.service_account(obj.etablissement)
