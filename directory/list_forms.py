"""Forms of the distribution list pages."""

import re

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from directory.forms import PERSON_HELP, find_person
from directory.models import Discipline, DistributionList, Etablissement
from mail.models import Mailbox


class ProjectListForm(forms.Form):
    name = forms.CharField(label=_("Name of the list"), max_length=200,
                           help_text=_("e.g. Classe européenne 2026"))
    local_part = forms.CharField(
        label=_("Address"), max_length=64,
        help_text=_("The part before @%(domain)s: letters, digits, dots and hyphens")
        % {"domain": settings.MAIL_DOMAIN},
    )
    description = forms.CharField(label=_("Description"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    ends_on = forms.DateField(label=_("End date"), widget=forms.DateInput(attrs={"type": "date"}),
                              help_text=_("After this day the list takes no more mail."))

    def clean_local_part(self):
        return free_address(self.cleaned_data["local_part"])


def free_address(local_part: str) -> str:
    """The list's whole address, if nobody (list, mailbox, login) has it yet."""
    local = local_part.strip().lower()
    if not re.fullmatch(r"[a-z0-9][a-z0-9.\-]{1,62}", local):
        raise forms.ValidationError(_("Use lower-case letters, digits, dots and hyphens."))
    address = f"{local}@{settings.MAIL_DOMAIN}"
    if (DistributionList.objects.filter(address=address).exists()
            or Mailbox.objects.filter(address=address).exists()
            or User.objects.filter(username=local).exists()):  # fmt: skip
        raise forms.ValidationError(_("This address is already used."))
    return address


class DisciplineListForm(forms.Form):
    """A discipline list: everyone teaching it in a bassin, in one établissement, or in the
    whole académie, kept by the HR data (kept by IT support)."""

    discipline = forms.ModelChoiceField(Discipline.objects.all(), label=_("Discipline"),
                                        empty_label=_("Choose a discipline"))
    bassin = forms.ChoiceField(label=_("Bassin"), required=False, help_text=_(
        "The établissements of this bassin (as the HR export gives it)."))
    uai = forms.CharField(label=_("Or one établissement (UAI)"), max_length=8, required=False,
                          help_text=_("e.g. 0311234Y; leave both empty for the whole académie."))
    name = forms.CharField(label=_("Name of the list"), max_length=200, help_text=_(
        "e.g. Professeurs de mathématiques – bassin Toulouse Nord"))
    local_part = ProjectListForm.base_fields["local_part"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bassins = (Etablissement.objects.exclude(bassin="").order_by("bassin")
                   .values_list("bassin", flat=True).distinct())  # fmt: skip
        self.fields["bassin"].choices = [("", _("— none —"))] + [(b, b) for b in bassins]

    def clean_local_part(self):
        return free_address(self.cleaned_data["local_part"])

    def clean_uai(self):
        uai = self.cleaned_data["uai"].strip().upper()
        if not uai:
            return None
        etab = Etablissement.objects.filter(uai=uai).first()
        if etab is None:
            raise forms.ValidationError(_("No établissement has this UAI."))
        return etab

    def clean(self):
        data = super().clean()
        if data.get("bassin") and data.get("uai"):
            self.add_error("uai", _("Choose a bassin or an établissement, not both."))
        return data


class ListSettingsForm(forms.ModelForm):
    class Meta:
        model = DistributionList
        fields = ["description", "posting", "allowed_senders", "moderated", "members_visible"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2}),
                   "allowed_senders": forms.Textarea(attrs={"rows": 3})}

    def clean(self):
        data = super().clean()
        if data.get("posting") == DistributionList.Posting.CHOSEN and not (
            data.get("allowed_senders") or ""
        ).strip():
            self.add_error("allowed_senders", _("Name at least one sender."))
        return data


class AddMemberForm(forms.Form):
    person = forms.CharField(label=_("Person to add"), max_length=254, help_text=PERSON_HELP)

    def clean_person(self):
        user = find_person(self.cleaned_data["person"])
        if not user.is_active:
            raise forms.ValidationError(_("Nobody has this login or address."))
        return user
