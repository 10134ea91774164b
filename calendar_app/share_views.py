"""Sharing pages: a calendar's «Partage» page (its owner gives and takes shares), the events
of calendars shared with the viewer (read as the privacy rule allows, changed with
«modification»), answering invitations for someone (delegation), showing or hiding a
shared calendar, creating a functional mailbox's calendar. Thin: calendar_app.sharing,
.delegation and .functional do the work."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from calendar_app import attendees, card, delegation, forms, functional, itip, services, sharing
from calendar_app.share_forms import ShareForm
from calendar_app.sharing_models import CalendarShare
from calendar_app.views import _day, agenda_url, store_required
from dav.client import DavConflict


@store_required
def calendar_shares(request, name: str):
    calendar = services.access_calendar(request.user, name)
    if calendar.read_only:
        raise Http404  # a subscription is not the person's to share
    form = ShareForm(request.POST or None, owner=request.user)
    if request.method == "POST" and form.is_valid():
        sharing.grant(request.user, request.user, name, request=request,
                      **form.cleaned_data["share"])  # fmt: skip
        messages.success(request, _("Calendar shared."))
        return redirect("calendar_app:calendar_shares", name=name)
    return render(request, "calendar_app/calendar_shares.html", {
        "calendar": calendar, "form": form, "shares": [
            (share, sharing.grantee_label(share)) for share in sharing.shares_of(
                request.user, name)],
        "phone_url": request.build_absolute_uri(f"/dav/{request.user.username}/"),
    })  # fmt: skip


@require_POST
@store_required
def share_remove(request, name: str, share_id: int):
    share = CalendarShare.objects.filter(pk=share_id, owner=request.user, collection=name).first()
    if share is None:
        raise Http404
    sharing.revoke(request.user, share, request=request)
    messages.success(request, _("Share removed."))
    return redirect("calendar_app:calendar_shares", name=name)


@require_POST
@store_required
def shared_visibility(request, owner: str, name: str):
    calendar = sharing.access_shared(request.user, owner, name)
    services.set_hidden(request.user, calendar.key, request.POST.get("hidden") == "1")
    target = str(request.POST.get("next", ""))
    return redirect(target if target.startswith("/agenda/") else "calendar_app:home")


def _shared_event(request, owner: str, name: str, href: str, *, write: bool = False):
    calendar = sharing.access_shared(request.user, owner, name, write=write)
    event = services.find_event(calendar.owner, name, href)
    key = request.GET.get("occurrence", "") if event.recurring else ""
    return calendar, event, key


@store_required
def shared_event(request, owner: str, name: str, href: str):
    calendar, event, key = _shared_event(request, owner, name, href)
    occurrence = sharing.shown_occurrence(request.user, calendar, event, key)
    may_answer = calendar.may_answer and delegation.awaiting(calendar.owner, event)
    return render(request, "calendar_app/shared_event.html", {
        "occurrence": occurrence, "shared": calendar, "may_answer": may_answer,
        "answer": card.PARTSTATS.get(itip.partstat_of(itip.first_event(event.parsed),
                                                      calendar.owner.email.lower()), "")
        if may_answer else "",
    })  # fmt: skip


@store_required
def shared_event_edit(request, owner: str, name: str, href: str):
    calendar, event, key = _shared_event(request, owner, name, href, write=True)
    occurrence = services.occurrence_in(event, key)
    form = forms.EventForm(request.POST or None, calendars=[calendar], recurring=bool(key),
                           initial={**forms.initial_for(occurrence, rule=services.series_rule(
                               event)), "participants": attendees.initial_of(event.parsed)})
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["etag"] != event.etag:
            messages.error(request, _("This event was changed elsewhere since you opened it; "
                                      "check it before saving again."))  # fmt: skip
            return redirect(request.get_full_path())
        try:
            services.change_event(calendar.owner, event, key=key,
                                  scope=form.cleaned_data.get("scope") or "all",
                                  data=form.event_data())  # fmt: skip
        except DavConflict:
            messages.error(request, _("This event was changed elsewhere; nothing was saved."))
            return redirect(request.get_full_path())
        messages.success(request, _("Event saved."))
        return redirect(agenda_url("semaine", form.cleaned_data["start_date"]))
    return render(request, "calendar_app/event_form.html", {
        "form": form, "occurrence": occurrence, "key": key})


@store_required
def shared_event_new(request, owner: str, name: str):
    calendar = sharing.access_shared(request.user, owner, name, write=True)
    form = forms.EventForm(request.POST or None, calendars=[calendar],
                           initial=forms.new_event_initial(_day(request.GET.get("date")), None,
                                                           name))  # fmt: skip
    if request.method == "POST" and form.is_valid():
        services.create_event(calendar.owner, name, form.event_data())
        messages.success(request, _("Event created in %(name)s's calendar.")
                         % {"name": calendar.owner_name})  # fmt: skip
        return redirect(agenda_url("semaine", form.cleaned_data["start_date"]))
    return render(request, "calendar_app/event_form.html", {"form": form, "creating": True})


@require_POST
@store_required
def shared_answer(request, owner: str, name: str, href: str):
    calendar, event, key = _shared_event(request, owner, name, href)
    back = reverse("calendar_app:shared_event", args=[owner, name, href])
    partstat = request.POST.get("reponse", "")
    try:
        organizer = delegation.answer_for(request.user, calendar.owner, event, partstat,
                                          comment=request.POST.get("commentaire", "")[:1000],
                                          request=request)  # fmt: skip
    except (delegation.NotInvited, PermissionDenied):
        messages.error(request, _("This invitation cannot be answered from here."))
        return redirect(back)
    except DavConflict:
        messages.error(request, _("This event was changed elsewhere; nothing was sent."))
        return redirect(back)
    messages.success(request, _("Answer sent on behalf of %(name)s: %(who)s is told.") % {
        "name": calendar.owner_name, "who": organizer})
    return redirect(back)


@require_POST
@store_required
def functional_create(request, mailbox_id: int):
    """The button on the functional mailbox's pages (shared_mailboxes/_sidebar.html)."""
    created = functional.create_for(request.user, mailbox_id)
    messages.success(request, _("Calendar of %(name)s created.")
                     % {"name": created.mailbox.display_name})  # fmt: skip
    return redirect("calendar_app:week")
