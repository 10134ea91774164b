"""/agenda/calendrier-scolaire/: the school calendar of the person's zone, read-only."""

from datetime import date

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from calendar_app import school, school_copy
from dav.client import DavUnavailable


@login_required
def school_calendar(request):
    """This school year and the next, each from 1 August to 31 July."""
    today = date.today()
    first = date(today.year if today.month >= 8 else today.year - 1, 8, 1)
    place = school.place_of(request.user)
    years = []
    for offset in (0, 1):
        start = first.replace(year=first.year + offset)
        end = start.replace(year=start.year + 1)
        days = sorted(school.days_off(place, start, end), key=lambda o: o.start)
        label = f"{start.year}-{end.year}"
        years.append({
            "label": label,
            "holidays": [o for o in days if o.href.startswith("vacances-")],
            "missing": school.not_published(place, label),
            "public": [o for o in days if o.href.startswith("ferie-")],
        })  # fmt: skip
    try:  # the phones' copy, written at this first visit rather than the next night
        school_copy.sync_person(request.user)
        on_phones = True
    except DavUnavailable:
        on_phones = False
    return render(request, "calendar_app/school_calendar.html", {
        "place": place, "years": years, "on_phones": on_phones})  # fmt: skip
