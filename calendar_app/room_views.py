"""Rooms from the agenda: which are free now or at a chosen time, a room's bookings (staff of
its établissement only), and the bookings waiting for a manager."""

from datetime import datetime, timedelta

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from calendar_app import ical, room_admin, rooms
from calendar_app.models import RoomBooking, RoomSlot
from calendar_app.views import store_required


def _moment(request) -> tuple[datetime, bool]:
    """The time asked for (?date=YYYY-MM-DD&heure=HH:MM), or now; and whether it was given."""
    now = timezone.localtime(timezone.now(), ical.local_zone()).replace(second=0, microsecond=0)
    try:
        day = datetime.strptime(request.GET.get("date", ""), "%Y-%m-%d").date()
        hour = datetime.strptime(request.GET.get("heure", ""), "%H:%M").time()
    except ValueError:
        return now, False
    return datetime.combine(day, hour, ical.local_zone()), True


@login_required
def free_rooms(request):
    moment, chosen = _moment(request)
    found = rooms.free_at(request.user, moment)
    return render(request, "calendar_app/rooms.html", {
        "moment": moment, "chosen": chosen, "free": [r for r, s in found if s is None],
        "busy": [(r, s) for r, s in found if s is not None],
        "several": len({r.etablissement_id for r, _s in found}) > 1,
        "waiting": RoomBooking.objects.filter(status="TENTATIVE",
                                              room__managers=request.user).count(),
        "may_manage": room_admin.administered(request.user).exists(),
    })  # fmt: skip


@login_required
def room_agenda(request, room_id: int):
    room = rooms.rooms_of_staff(request.user, bookable_only=False).filter(id=room_id).first()
    if room is None:
        raise Http404
    start = timezone.now() - timedelta(hours=1)
    slots = (RoomSlot.objects.filter(room=room, ends_at__gt=start, starts_at__lt=start
                                     + timedelta(weeks=4))  # fmt: skip
             .select_related("booking__organizer").order_by("starts_at")[:200])
    return render(request, "calendar_app/room_agenda.html", {
        "room": room, "slots": slots,
        "caldav_path": f"/dav/{rooms.principal_of(room.etablissement)}/{room.calendar}/",
    })  # fmt: skip


@login_required
def waiting(request):
    bookings = (RoomBooking.objects.filter(status="TENTATIVE", room__managers=request.user)
                .select_related("room", "organizer").prefetch_related("slots")
                .order_by("answered_at"))  # fmt: skip
    return render(request, "calendar_app/room_requests.html", {"bookings": bookings})


@store_required
@require_POST
def decide(request, booking_id: int):
    decision = request.POST.get("decision")
    if decision not in ("accepter", "refuser"):
        raise Http404
    if rooms.decide_waiting(request.user, booking_id, decision == "accepter") is None:
        raise Http404
    return redirect("calendar_app:room_requests")
