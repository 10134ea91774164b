"""Which days a view shows and where each occurrence goes: day, week, month and list."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import formats
from django.utils.translation import gettext as _

from calendar_app.ical import Occurrence, viewer_zone

VIEWS = {"jour": "day", "semaine": "week", "mois": "month", "liste": "list"}
LIST_DAYS = 28
FIRST_HOUR, LAST_HOUR = 7, 21  # the part of the day the grid shows; others are pinned to it


@dataclass
class Day:
    day: date
    timed: list[Occurrence] = field(default_factory=list)
    all_day: list[Occurrence] = field(default_factory=list)
    in_month: bool = True

    @property
    def occurrences(self) -> list[Occurrence]:
        return self.all_day + self.timed


@dataclass
class Span:
    view: str  # day, week, month, list
    anchor: date
    first: date
    days: int
    previous: date
    next: date

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time(), viewer_zone())

    @property
    def end(self) -> datetime:
        return datetime.combine(self.first + timedelta(days=self.days), time(), viewer_zone())


def span_of(view: str, anchor: date, *, working_week: bool) -> Span:
    if view == "day":
        return Span(view, anchor, anchor, 1, anchor - timedelta(days=1),
                    anchor + timedelta(days=1))  # fmt: skip
    if view == "week":
        monday = anchor - timedelta(days=anchor.weekday())
        return Span(view, anchor, monday, 5 if working_week else 7, anchor - timedelta(days=7),
                    anchor + timedelta(days=7))  # fmt: skip
    if view == "month":
        first = anchor.replace(day=1)
        next_month = (first + timedelta(days=32)).replace(day=1)
        grid_start = first - timedelta(days=first.weekday())
        grid_end = next_month + timedelta(days=(7 - next_month.weekday()) % 7)
        previous = (first - timedelta(days=1)).replace(day=1)
        return Span(view, anchor, grid_start, (grid_end - grid_start).days, previous, next_month)
    return Span(view, anchor, anchor, LIST_DAYS, anchor - timedelta(days=LIST_DAYS),
                anchor + timedelta(days=LIST_DAYS))  # fmt: skip


def day_of(value) -> date:
    return value.date() if isinstance(value, datetime) else value


def lay_out(span: Span, occurrences: list[Occurrence]) -> list[Day]:
    """Each day of the span with the occurrences touching it (multi-day events on each day)."""
    days = [Day(span.first + timedelta(days=i)) for i in range(span.days)]
    by_date = {d.day: d for d in days}
    month = span.anchor.month
    for d in days:
        d.in_month = span.view != "month" or d.day.month == month
    for occurrence in occurrences:
        first = day_of(occurrence.start)
        last = day_of(occurrence.end)
        if occurrence.all_day or (isinstance(occurrence.end, datetime)
                                  and occurrence.end.time() == time() and last > first):
            last -= timedelta(days=1)  # an exclusive end at midnight
        day = max(first, span.first)
        while day <= last and day in by_date:
            target = by_date[day]
            spans_days = occurrence.all_day or first != day_of(occurrence.end) and last > first
            (target.all_day if spans_days else target.timed).append(occurrence)
            day += timedelta(days=1)
        if first > last and first in by_date:  # zero-length event
            by_date[first].timed.append(occurrence)
    if span.view == "list":
        return [d for d in days if d.occurrences]
    return days


def minutes_in_grid(occurrence: Occurrence) -> tuple[int, int]:
    """Top and height in minutes from FIRST_HOUR, pinned to the grid's hours."""
    start = occurrence.start.hour * 60 + occurrence.start.minute
    end = occurrence.end.hour * 60 + occurrence.end.minute
    if day_of(occurrence.end) > day_of(occurrence.start):
        end = 24 * 60
    low, high = FIRST_HOUR * 60, LAST_HOUR * 60
    top = min(max(start, low), high - 15) - low
    bottom = max(min(end, high), top + low + 15) - low
    return top, bottom - top


def title_of(span: Span) -> str:
    if span.view == "day":
        return formats.date_format(span.first, "l j F Y")
    if span.view == "month":
        return formats.date_format(span.anchor, "F Y")
    last = span.first + timedelta(days=span.days - 1)
    if span.view == "week":
        return _("Week %(number)s · %(first)s – %(last)s") % {
            "number": span.first.isocalendar().week,
            "first": formats.date_format(span.first, "j F"),
            "last": formats.date_format(last, "j F Y"),
        }
    return _("From %(first)s to %(last)s") % {
        "first": formats.date_format(span.first, "j F"),
        "last": formats.date_format(last, "j F Y"),
    }


def month_weeks(days: list[Day]) -> list[tuple[int, list[Day]]]:
    return [(days[i].day.isocalendar().week, days[i:i + 7]) for i in range(0, len(days), 7)]
