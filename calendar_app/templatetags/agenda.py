"""Template helpers of the agenda pages."""

from django import template
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _

from calendar_app import forms, grid, navigation, school

register = template.Library()


@register.simple_tag
def occurrence_url(occurrence, action: str = "") -> str:
    if occurrence.calendar == school.CALENDAR:  # read-only: its own page
        return reverse("calendar_app:school")
    if occurrence.owner:  # a calendar shared with the viewer: its own pages
        url = reverse("calendar_app:shared_event" if action != "edit" else
                      "calendar_app:shared_event_edit",
                      args=[occurrence.owner, occurrence.calendar, occurrence.href])
        return f"{url}?occurrence={occurrence.recurrence_id}" if occurrence.recurrence_id else url
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


@register.simple_tag
def original_time(occurrence) -> str:
    """«14:00 – 15:00, heure de Martinique»: the event's own clock, when it is not the viewer's
    (formatted here: the template filters would convert it to the viewer's zone)."""
    start, end = occurrence.original_start, occurrence.original_end
    if start is None:
        return ""
    times = formats.time_format(start, "H:i")
    if end is not None:
        same_day = end.date() == start.date()
        last = formats.time_format(end, "H:i") if same_day else formats.date_format(end, "j N H:i")
        times = f"{times} – {last}"
    if start.date() != occurrence.start.date():
        times = f"{formats.date_format(start, 'j N')} {times}"
    label = dict(forms.TIME_ZONES).get(occurrence.zone, occurrence.zone)
    return _("%(times)s, %(zone)s time") % {"times": times, "zone": label}
