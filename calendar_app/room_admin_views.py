"""The rooms of the établissements one administers: list, create, edit (and deactivate)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from calendar_app import room_admin
from calendar_app.models import Room


@login_required
def manage(request):
    etablissements = list(room_admin.administered(request.user).filter(
        id=request.user.etablissement_id)) if request.user.etablissement_id else []  # fmt: skip
    uai = request.GET.get("uai", "").strip().upper()[:8]
    if uai:  # IT support: another établissement, by its UAI
        etablissements = list(room_admin.administered(request.user).filter(uai=uai))
        if not etablissements:
            messages.error(request, _("No établissement you administer has this UAI."))
    if not room_admin.administered(request.user).exists():
        raise Http404
    groups = [(e, Room.objects.filter(etablissement=e).prefetch_related("managers"))
              for e in etablissements]  # fmt: skip
    return render(request, "calendar_app/room_manage.html", {
        "groups": groups, "several": room_admin.administered(request.user).count() > 1,
        "uai": uai})  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def create(request, uai: str):
    etablissement = room_admin.administered(request.user).filter(uai=uai.upper()).first()
    if etablissement is None:
        raise Http404
    form = room_admin.RoomForm(request.POST or None, etablissement=etablissement,
                               initial={"active": True})  # fmt: skip
    if request.method == "POST" and form.is_valid():
        room = form.save()
        messages.success(request, _("«%(name)s» is created: invite %(address)s to book it.")
                         % {"name": room.name, "address": room.email})  # fmt: skip
        return redirect(f"{_list_url()}?uai={etablissement.uai}")
    return render(request, "calendar_app/room_form.html", {
        "form": form, "etablissement": etablissement, "room": None})  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, room_id: int):
    room = room_admin.manageable_room(request.user, room_id)
    if room is None:
        raise Http404
    form = room_admin.RoomForm(request.POST or None, instance=room,
                               etablissement=room.etablissement)  # fmt: skip
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("«%(name)s» is saved.") % {"name": room.name})
        return redirect(f"{_list_url()}?uai={room.etablissement.uai}")
    return render(request, "calendar_app/room_form.html", {
        "form": form, "etablissement": room.etablissement, "room": room})  # fmt: skip


def _list_url() -> str:
    return reverse("calendar_app:room_manage")
