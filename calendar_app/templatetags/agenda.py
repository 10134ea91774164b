"""Template helpers of the agenda pages."""

from django import template
from django.urls import reverse

from calendar_app import grid, school

register = template.Library()


@register.simple_tag
def occurrence_url(occurrence, action: str = "") -> str:
    if occurrence.calendar == school.CALENDAR:  # read-only: its own page
        return reverse("calendar_app:school")
    name = {"": "event", "edit": "event_edit", "delete": "event_delete"}[action]
    url = reverse(f"calendar_app:{name}", args=[occurrence.calendar, occurrence.href])
    return f"{url}?occurrence={occurrence.recurrence_id}" if occurrence.recurrence_id else url


@register.filter
def grid_top(occurrence) -> int:
    return grid.minutes_in_grid(occurrence)[0]


@register.filter
def grid_height(occurrence) -> int:
    return grid.minutes_in_grid(occurrence)[1]
