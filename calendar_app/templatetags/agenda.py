"""Template helpers of the agenda pages."""

from django import template
from django.urls import reverse

from calendar_app import grid, navigation

register = template.Library()


@register.simple_tag
def occurrence_url(occurrence, action: str = "") -> str:
    name = {"": "event", "edit": "event_edit", "delete": "event_delete"}[action]
    url = reverse(f"calendar_app:{name}", args=[occurrence.calendar, occurrence.href])
    return f"{url}?occurrence={occurrence.recurrence_id}" if occurrence.recurrence_id else url


@register.filter
def grid_top(occurrence) -> int:
    return grid.minutes_in_grid(occurrence)[0]


@register.filter
def grid_height(occurrence) -> int:
    return grid.minutes_in_grid(occurrence)[1]


@register.filter
def week_ab(day, preferences) -> str:
    """«A» or «B» for the week of ``day``, or "" when the person does not use them."""
    return navigation.week_label(day, preferences) if preferences else ""
