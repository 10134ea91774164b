"""Template helpers of the agenda pages."""

from django import template
from django.urls import reverse
from django.utils import formats
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime
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


@register.simple_tag
def occurrence_item(o, positioned: bool = False) -> SafeString:
    """One occurrence's ``<li>`` in the agenda's grid and lists, written here: an included
    template cost about 1.5 ms per occurrence, most of a full week's page (docs/benchmarks.md,
    «Where the time goes»). Every value is escaped by format_html."""
    if o.all_day:
        when = _("All day")
    else:  # as the «time» filter shows them: in the viewer's zone
        when = f"{template_localtime(o.start):%H:%M} – {template_localtime(o.end):%H:%M}"
    parts = [format_html('<span class="cv-event__time">{}</span>', when)]
    if o.original_start:
        parts.append(format_html('<span class="cv-event__zone">({})</span>', original_time(o)))
    parts.append(format_html('<span class="cv-event__title">{}</span>',
                             o.title or _("(no title)")))  # fmt: skip
    if o.location:
        parts.append(format_html('<span class="cv-event__place">{}</span>', o.location))
    if o.awaiting:
        parts.append(format_html('<span class="cv-event__place">{}</span>',
                                 _("Invitation: waiting for your answer")))  # fmt: skip
    if o.recurring:
        parts.append(format_html('<span class="fr-sr-only">{}</span>', _("(repeats)")))
    if o.private:
        parts.append(format_html('<span class="fr-sr-only">{}</span>', _("(private)")))
    classes = "cv-event" + ("" if o.busy else " cv-event--free") + (
        " cv-event--awaiting" if o.awaiting else "")  # fmt: skip
    place = ""
    if positioned:
        top, height = grid.minutes_in_grid(o)
        place = format_html(' class="cv-positioned" data-top="{}" data-height="{}"', top, height)
    return format_html('<li{}><a class="{}" data-color="{}" href="{}">{}</a></li>', place,
                       classes, o.color, occurrence_url(o), mark_safe(" ".join(parts)))  # noqa: S308 - each part built by format_html
