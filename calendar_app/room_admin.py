"""Rooms and equipment managed by an établissement's own administrative staff (the people who
manage its functional mailboxes, ``directory.staff_rights``), not only in Django's admin:
create, edit, and deactivate (a deactivated room keeps its bookings and calendar, and
declines new invitations). A room's address is made from its name and the établissement's
UAI when it is created, and never changes: people and phones have it in their events."""

import logging

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from calendar_app import rooms
from calendar_app.models import Room
from dav.client import DavUnavailable, dav_session
from directory.staff_rights import administered_etablissements

logger = logging.getLogger(__name__)
MAX_CAPACITY = 5000


def administered(user):
    """The établissements whose rooms ``user`` manages."""
    return administered_etablissements(user)


def manageable_room(user, room_id: int) -> Room | None:
    return (Room.objects.select_related("etablissement")
            .filter(id=room_id, etablissement__in=administered(user)).first())  # fmt: skip


def staff_of(etablissement):
    """The people who may manage a room of ``etablissement`` (approve its bookings)."""
    return (get_user_model().objects.filter(etablissement=etablissement, is_active=True)
            .exclude(username__startswith="ressources.").order_by("last_name", "first_name"))


def new_address(etablissement, name: str) -> str:
    """``<name>.<uai>@<domain>``, made unique among rooms and accounts."""
    base = (slugify(name)[:40].strip("-") or "salle") + "." + etablissement.uai.lower()
    taken = set(Room.objects.filter(email__startswith=base).values_list("email", flat=True))
    taken |= {e.lower() for e in get_user_model().objects.filter(
        email__istartswith=base).values_list("email", flat=True)}  # fmt: skip
    for n in range(1, 1000):
        candidate = f"{base}{'' if n == 1 else f'-{n}'}@{settings.MAIL_DOMAIN}"
        if candidate not in taken:
            return candidate
    raise ValueError(base)


class PersonChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.get_full_name() or obj.username} ({obj.email})"


class RoomForm(forms.ModelForm):
    managers = PersonChoice(queryset=get_user_model().objects.none(), required=False,
                            widget=forms.CheckboxSelectMultiple,
                            label=_("Managers (they approve the bookings)"))  # fmt: skip

    class Meta:
        model = Room
        fields = ["name", "kind", "capacity", "policy", "managers", "active"]
        labels = {"name": _("Name"), "kind": _("Kind"), "capacity": _("Capacity (seats)"),
                  "policy": _("Booking"), "active": _("Bookable")}  # fmt: skip

    def __init__(self, *args, etablissement, **kwargs):
        super().__init__(*args, **kwargs)
        self.etablissement = etablissement
        self.fields["managers"].queryset = staff_of(etablissement)
        self.fields["name"].widget.attrs["maxlength"] = 120
        self.fields["capacity"].required = False

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Give the room a name."))
        return name

    def clean_capacity(self) -> int:
        capacity = self.cleaned_data["capacity"]
        if capacity is None:
            return 0  # equipment: no seats
        if capacity > MAX_CAPACITY:
            raise forms.ValidationError(_("A capacity between 0 and %(max)s, please.")
                                        % {"max": MAX_CAPACITY})  # fmt: skip
        return capacity

    def clean(self):
        data = super().clean()
        if data.get("policy") == Room.Policy.APPROVAL and not data.get("managers"):
            self.add_error("managers", _("A room booked on approval needs at least one "
                                         "manager."))  # fmt: skip
        return data

    def save(self, commit: bool = True) -> Room:
        data = self.cleaned_data
        if self.instance.pk is None:
            room = rooms.create_room(self.etablissement, data["name"],
                                     new_address(self.etablissement, data["name"]),
                                     capacity=data["capacity"], policy=data["policy"])  # fmt: skip
            room.kind, room.active = data["kind"], data["active"]
            room.save(update_fields=["kind", "active"])
        else:
            renamed = "name" in self.changed_data
            room = super().save()
            if renamed:
                _rename_calendar(room)
        room.managers.set(data["managers"])
        return room


def _rename_calendar(room: Room) -> None:
    """The room's calendar, as the staff's phones show it, carries its new name."""
    try:
        with dav_session(rooms.principal_of(room.etablissement)) as store:
            if room.calendar in {c.name for c in store.calendars()}:
                store.update_calendar(room.calendar, display_name=room.name, color=rooms.COLOR)
    except DavUnavailable:  # saved all the same; the old name stays on phones meanwhile
        logger.warning("room %s renamed while the store was down", room.id)
