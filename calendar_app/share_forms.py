"""The form of a calendar's «Partage» page: with whom (a person or a list by address, or a
role of the owner's établissement), at which level, a delegation, until when."""

from datetime import datetime, time

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from calendar_app import ical
from calendar_app.sharing_models import Level
from directory import lists

KINDS = [("personne", _("A person")), ("liste", _("A distribution list")),
         ("role", _("A role in my établissement"))]  # fmt: skip


class ShareForm(forms.Form):
    kind = forms.ChoiceField(label=_("Share with"), choices=KINDS, initial="personne",
                             widget=forms.RadioSelect)  # fmt: skip
    address = forms.EmailField(label=_("Address of the person or of the list"), required=False)
    category = forms.ChoiceField(label=_("Role"), required=False)
    level = forms.ChoiceField(label=_("Access"), choices=Level.choices, initial=Level.READ,
                              widget=forms.RadioSelect)  # fmt: skip
    may_answer = forms.BooleanField(required=False, label=_(
        "Delegation: may also answer invitations on my behalf (a person, with «Edit»)"))
    until = forms.DateField(label=_("Until (included; required for a delegation)"),
                            required=False)  # fmt: skip

    def __init__(self, *args, owner, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner = owner
        self.fields["category"].choices = [("", "—"), *get_user_model().Category.choices]

    def clean(self):
        data = super().clean()
        kind, address = data.get("kind"), (data.get("address") or "").lower()
        fields = {"level": data.get("level"), "may_answer": bool(data.get("may_answer"))}
        if kind == "personne":
            fields["user"] = get_user_model().objects.filter(
                email__iexact=address, is_active=True).exclude(pk=self.owner.pk).first()
            if fields["user"] is None:
                self.add_error("address", _("No colleague has this address."))
        elif kind == "liste":
            fields["dlist"] = lists.find(address) if address else None
            if fields["dlist"] is None:
                self.add_error("address", _("No distribution list has this address."))
        elif kind == "role":
            if not data.get("category"):
                self.add_error("category", _("Choose a role."))
            if not self.owner.etablissement_id:
                self.add_error("category", _("Your account has no établissement."))
            fields.update(category=data.get("category", ""),
                          etablissement_id=self.owner.etablissement_id)  # fmt: skip
        if fields["may_answer"] and (kind != "personne" or data.get("level") != Level.WRITE):
            self.add_error("may_answer", _("A delegation is given to a person, with «Edit»."))
        if fields["may_answer"] and not data.get("until"):
            self.add_error("until", _("A delegation needs an end date."))
        until = data.get("until")
        if until and until < timezone.localdate():
            self.add_error("until", _("The end date is in the past."))
        elif until:
            fields["ends_at"] = datetime.combine(until, time.max, ical.local_zone())
        data["share"] = fields
        return data
