"""Agenda pages: thin views over calendar_app.services (parse, call, render)."""

from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from calendar_app import (
    attendees,
    card,
    forms,
    from_mail,
    grid,
    importing,
    navigation,
    school,
    services,
    sharing,
    slots,
)
from calendar_app.ical import viewer_zone
from calendar_app.models import AgendaSettings
from dav import pages
from dav.client import DavConflict

store_required = pages.store_required("calendar_app/unavailable.html")


def _day(value: str | None) -> date:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        return timezone.now().astimezone(viewer_zone()).date()


def event_url(calendar: str, href: str, key: str) -> str:
    url = reverse("calendar_app:event", args=[calendar, href])
    return f"{url}?occurrence={key}" if key else url


def agenda_url(view: str, day: date) -> str:
    return f"{reverse('calendar_app:view', args=[view])}?date={day.isoformat()}"


@store_required
def agenda(request, view: str = "semaine"):
    if view not in grid.VIEWS:
        raise Http404
    preferences = AgendaSettings.of(request.user)
    if request.GET.get("ouvree") in ("0", "1"):
        preferences.working_week = request.GET["ouvree"] == "1"
        preferences.save(update_fields=["working_week"])
    anchor = _day(request.GET.get("date"))
    span = grid.span_of(grid.VIEWS[view], anchor, working_week=preferences.working_week)
    calendars = services.calendars_of(request.user, preferences)
    occurrences = services.occurrences_between(request.user, span.start, span.end, calendars)
    shared = sharing.shared_calendars(request.user, preferences)  # «Agendas partagés avec moi»
    if shared:
        occurrences = services.by_time(occurrences + sharing.occurrences_between(
            request.user, span.start, span.end, shared))  # fmt: skip
    school_calendar = school.entry_for(request.user, preferences.hidden_calendars)
    if not school_calendar["hidden"]:  # read-only, from data: see calendar_app/school.py
        occurrences += school.occurrences(request.user, span.start, span.end)
    days = grid.lay_out(span, occurrences)
    return render(request, "calendar_app/agenda.html", {
        "view": view, "span": span, "days": days, "calendars": calendars,
        "weeks": grid.month_weeks(days) if span.view == "month" else None,
        "title": grid.title_of(span), "today": _day(None),
        "working_week": preferences.working_week,
        "previous_url": agenda_url(view, span.previous), "next_url": agenda_url(view, span.next),
        "hours": range(grid.FIRST_HOUR, grid.LAST_HOUR), "first_hour": grid.FIRST_HOUR,
        "last_hour": grid.LAST_HOUR, "school_calendar": school_calendar,
        "shared_calendars": shared,
        **navigation.context(span, preferences, request.GET.get("mini")),
    })  # fmt: skip


@store_required
def event_new(request):
    calendars = services.writable(services.calendars_of(request.user))
    if request.method == "POST":
        form = forms.EventForm(request.POST, calendars=calendars)
        if form.is_valid():
            services.create_event(request.user, form.cleaned_data["calendar"], form.event_data())
            messages.success(request, _("Event created."))
            return redirect(agenda_url("semaine", form.cleaned_data["start_date"]))
    else:
        hour = request.GET.get("heure", "")
        initial = forms.new_event_initial(
            _day(request.GET.get("date")), int(hour) if hour.isdigit() and int(hour) < 24
            else None, request.GET.get("calendrier") or calendars[0].name)  # fmt: skip
        initial.update(slots.slot_initial(request.GET))  # a slot dragged in the grid
        if request.GET.get("boite", "").isdigit() and request.GET.get("uid", "").isdigit():
            initial.update(from_mail.initial_from_message(
                request.user, int(request.GET["boite"]), request.GET.get("dossier", "INBOX"),
                int(request.GET["uid"])))  # fmt: skip
        initial["participants"] = attendees.from_query(request.GET.getlist("participants"))
        form = forms.EventForm(calendars=calendars, initial=initial)
    return render(request, "calendar_app/event_form.html", {"form": form, "creating": True})


def _event(request, calendar: str, href: str, *, write: bool = False):
    if services.access_calendar(request.user, calendar).read_only and write:
        raise PermissionDenied  # a subscription: changed only by its refresh
    event = services.find_event(request.user, calendar, href)
    key = request.GET.get("occurrence", "") if event.recurring else ""
    return event, key, services.occurrence_in(event, key)


@store_required
def event_detail(request, calendar: str, href: str):
    event, key, occurrence = _event(request, calendar, href)
    return render(request, "calendar_app/event_detail.html", {
        "occurrence": occurrence, "key": key, "calendar": services.access_calendar(
            request.user, calendar), "answers": card.event_answers(event.parsed),
    })  # fmt: skip


@store_required
def event_edit(request, calendar: str, href: str):
    event, key, occurrence = _event(request, calendar, href, write=True)
    calendars = services.writable(services.calendars_of(request.user))
    rule = services.series_rule(event)
    conflict = None
    if request.method == "POST":
        form = forms.EventForm(request.POST, calendars=calendars, recurring=bool(key))
        if form.is_valid():
            if form.cleaned_data["etag"] != event.etag:
                conflict = occurrence  # changed elsewhere (a phone?) since the form was opened
            else:
                try:
                    return _save_change(request, event, key, form)
                except DavConflict:
                    event, key, conflict = _event(request, calendar, href, write=True)
            form = _with_current_etag(request.POST, event.etag, calendars, key)
    else:
        initial = forms.initial_for(occurrence, rule=rule)
        initial["participants"] = attendees.initial_of(event.parsed)
        form = forms.EventForm(calendars=calendars, recurring=bool(key), initial=initial)
    return render(request, "calendar_app/event_form.html", {
        "form": form, "occurrence": occurrence, "key": key, "conflict": conflict,
    })  # fmt: skip


def _with_current_etag(data, etag: str, calendars, key: str) -> forms.EventForm:
    """The person's typing kept, the ETag of the version now stored: saving again is then a
    deliberate choice to replace it."""
    data = data.copy()
    data["etag"] = etag
    return forms.EventForm(data, calendars=calendars, recurring=bool(key))


def _save_change(request, event, key: str, form):
    data = form.event_data()
    scope = form.cleaned_data.get("scope") or "all"
    services.change_event(request.user, event, key=key, scope=scope, data=data)
    target = form.cleaned_data["calendar"]
    if target != event.calendar and (not key or scope == "all"):
        services.move_event(request.user, services.find_event(request.user, event.calendar,
                                                              event.href), target)  # fmt: skip
    messages.success(request, _("Event saved."))
    return redirect(agenda_url("semaine", form.cleaned_data["start_date"]))


@store_required
def event_delete(request, calendar: str, href: str):
    event, key, occurrence = _event(request, calendar, href, write=True)
    if request.method == "POST":
        scope = request.POST.get("scope", "this")
        if request.POST.get("etag") != event.etag:
            messages.error(request, _("This event was changed elsewhere since you opened it; "
                                      "check it before deleting it."))  # fmt: skip
            return redirect(event_url(calendar, href, key))
        try:
            services.delete_event(request.user, event, key=key,
                                  scope=scope if scope in ("this", "following", "all") else "this")
        except DavConflict:
            messages.error(request, _("This event was changed elsewhere; nothing was deleted."))
            return redirect(event_url(calendar, href, key))
        messages.success(request, _("Event deleted."))
        return redirect(agenda_url("semaine", grid.day_of(occurrence.start)))
    return render(request, "calendar_app/event_delete.html",
                  {"occurrence": occurrence, "key": key, "scopes": forms.SCOPES})  # fmt: skip


@store_required
def calendar_list(request):
    if request.method == "POST":
        form = forms.CalendarForm(request.POST)
        if form.is_valid():
            services.create_calendar(request.user, form.cleaned_data["display_name"],
                                     form.cleaned_data["color"])  # fmt: skip
            messages.success(request, _("Calendar created."))
            return redirect("calendar_app:calendars")
    else:
        form = forms.CalendarForm()
    return render(request, "calendar_app/calendars.html",
                  {"calendars": services.calendars_of(request.user), "form": form})


@store_required
def calendar_edit(request, name: str):
    calendar = services.access_calendar(request.user, name)
    confirm_delete = request.GET.get("supprimer") == "1"
    if request.method == "POST" and request.POST.get("operation") == "delete":
        services.delete_calendar(request.user, name)
        messages.success(request, _("Calendar deleted."))
        return redirect("calendar_app:calendars")
    if request.method == "POST":
        form = forms.CalendarForm(request.POST)
        if form.is_valid():
            services.update_calendar(request.user, name, **form.cleaned_data)
            messages.success(request, _("Calendar saved."))
            return redirect("calendar_app:calendars")
    else:
        form = forms.CalendarForm(initial={"display_name": calendar.display_name,
                                           "color": calendar.color, "hidden": calendar.hidden})
    return render(request, "calendar_app/calendar_edit.html",
                  {"calendar": calendar, "form": form, "confirm_delete": confirm_delete})


@require_POST
@store_required
def calendar_visibility(request, name: str):
    if name != school.CALENDAR:
        services.access_calendar(request.user, name)
    services.set_hidden(request.user, name, request.POST.get("hidden") == "1")
    return redirect(request.POST.get("next") if str(request.POST.get("next", "")).startswith(
        "/agenda/") else "calendar_app:home")  # fmt: skip


def _ics(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@store_required
def calendar_export(request, name: str):
    return _ics(services.export_calendar(request.user, name), f"{name}.ics")


@store_required
def event_export(request, calendar: str, href: str):
    return _ics(services.export_event(request.user, calendar, href), "evenement.ics")


@store_required
def import_ics(request):
    """Upload, preview (what will be imported, what will not), then import."""
    calendars = services.writable(services.calendars_of(request.user))
    if request.method == "POST" and request.POST.get("step") == "import":
        calendar = services.access_calendar(request.user, request.POST.get("calendar", ""))
        if calendar.read_only:
            raise PermissionDenied
        data = importing.kept_upload(request.user, request.POST.get("token", ""), remove=True)
        if data is None:
            messages.error(request, _("This import has expired: choose the file again."))
            return redirect("calendar_app:import")
        report = importing.read_ics(data)
        created, updated, problems = importing.import_into(request.user, calendar.name, report)
        return render(request, "calendar_app/import_done.html", {
            "created": created, "updated": updated, "problems": report.problems + problems,
            "calendar": calendar, "calendars": calendars,
        })  # fmt: skip
    if all(request.GET.get(key, "").isdigit() for key in ("boite", "uid", "partie")):
        # «Ajouter à mon agenda» on an .ics attachment: the same preview, from the message.
        data = from_mail.calendar_attachment(
            request.user, int(request.GET["boite"]), request.GET.get("dossier", "INBOX"),
            int(request.GET["uid"]), int(request.GET["partie"]))  # fmt: skip
        return _import_preview(request, data, calendars, calendars[0].name)
    form = forms.ImportForm(request.POST or None, request.FILES or None, calendars=calendars)
    if request.method == "POST" and form.is_valid():
        return _import_preview(request, form.cleaned_data["file"], calendars,
                               form.cleaned_data["calendar"])  # fmt: skip
    return render(request, "calendar_app/import.html", {"form": form, "calendars": calendars})


@store_required
def search(request):
    query = request.GET.get("q", "").strip()[:200]
    first = _day(request.GET.get("du"))
    last = _day(request.GET.get("au")) if request.GET.get("au") else first + timedelta(days=365)
    if last < first:
        first, last = last, first
    span = grid.Span("list", first, first, (last - first).days + 1, first, first)
    results = services.by_time(
        services.search_events(request.user, query, span.start, span.end)
        + sharing.search(request.user, query, span.start, span.end)) if query else []
    days = grid.lay_out(span, results)
    return render(request, "calendar_app/search.html", {
        "query": query, "first": first, "last": last, "days": days, "searched": bool(query),
        "calendars": services.calendars_of(request.user), "today": _day(None),
    })  # fmt: skip


def _import_preview(request, data: bytes, calendars, calendar: str):
    report = importing.read_ics(data)
    return render(request, "calendar_app/import_preview.html", {
        "report": report, "preview": report.events[:20], "calendars": calendars,
        "token": importing.keep_upload(request.user, data), "calendar": calendar,
    })  # fmt: skip
