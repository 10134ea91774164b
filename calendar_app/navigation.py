"""What surrounds a view: the mini month beside it (navigable on its own), the week numbers
and the optional «semaine A / semaine B» label."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import formats
from django.utils.translation import gettext as _

from calendar_app.grid import Span


@dataclass(frozen=True)
class MiniDay:
    day: date
    in_month: bool
    in_span: bool  # shown by the main view


@dataclass(frozen=True)
class MiniWeek:
    number: int
    label: str  # "A", "B" or ""
    days: list[MiniDay]


@dataclass(frozen=True)
class MiniMonth:
    first: date
    title: str
    weeks: list[MiniWeek]
    previous: date
    next: date


def week_label(day: date, preferences) -> str:
    """«A» or «B» for the week of ``day``, counted from the person's reference week A."""
    if not preferences.alternate_weeks or preferences.week_a is None:
        return ""
    reference = preferences.week_a - timedelta(days=preferences.week_a.weekday())
    monday = day - timedelta(days=day.weekday())
    return "A" if ((monday - reference).days // 7) % 2 == 0 else "B"


def month_param(value: str | None) -> date | None:
    """``mini=2026-12``: the month the mini month shows, if not the view's."""
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        return date(year, month, 1)
    except ValueError:
        return None


def mini_month(first: date, span: Span, preferences) -> MiniMonth:
    first = first.replace(day=1)
    start = first - timedelta(days=first.weekday())
    shown = {span.first + timedelta(days=i) for i in range(span.days)}
    weeks = []
    day = start
    while day.month == first.month or day < first:
        days = [MiniDay(d, d.month == first.month, d in shown)
                for d in (day + timedelta(days=i) for i in range(7))]  # fmt: skip
        weeks.append(MiniWeek(day.isocalendar().week, week_label(day, preferences), days))
        day += timedelta(days=7)
    return MiniMonth(
        first=first, title=formats.date_format(first, "F Y"), weeks=weeks,
        previous=(first - timedelta(days=1)).replace(day=1),
        next=(first + timedelta(days=32)).replace(day=1),
    )  # fmt: skip


def context(span: Span, preferences, mini: str | None) -> dict:
    """What the agenda template needs beside the view itself."""
    label = week_label(span.first, preferences) if span.view in ("day", "week") else ""
    return {
        "mini": mini_month(month_param(mini) or span.anchor, span, preferences),
        "week_number": span.first.isocalendar().week,
        "week_label": _("week %(label)s") % {"label": label} if label else "",
        "alternate_weeks": bool(preferences.alternate_weeks and preferences.week_a),
        "preferences": preferences,
    }
