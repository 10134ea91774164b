"""Forms of the administration of shared mailboxes; every value checked on the server."""

import re

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from directory.forms import PERSON_HELP, find_person
from directory.models import Etablissement
from directory.staff_rights import administered_etablissements
from mail.models import Mailbox
from shared_mailboxes.models import FolderAddress, MailboxSignature

_LOCAL_PART = re.compile(r"^[a-z0-9](?:[a-z0-9.\-]{0,38}[a-z0-9])?$")


def address_taken(address: str) -> bool:
    address = address.lower()
    return (
        Mailbox.objects.filter(address__iexact=address).exists()
        or FolderAddress.objects.filter(address__iexact=address).exists()
        or User.objects.filter(email__iexact=address).exists()
    )


def creatable_etablissements(user):
    """IT support may create a functional mailbox anywhere; admin staff only for their own
    établissement; nobody else (the rule rooms follow too)."""
    return administered_etablissements(user)


class RightsMixin(forms.Form):
    can_read = forms.BooleanField(label=_("Read the messages"), required=False, initial=True)
    can_manage = forms.BooleanField(
        label=_("Manage the messages (flags, move, delete, assign)"), required=False
    )
    can_send_as = forms.BooleanField(label=_("Send as the mailbox"), required=False)
    can_send_on_behalf = forms.BooleanField(
        label=_("Send on behalf of the mailbox («X de la part de Y»)"), required=False
    )
    can_administer = forms.BooleanField(
        label=_("Administer (add and remove members)"), required=False
    )

    def rights(self) -> dict:
        names = ("can_read", "can_manage", "can_send_as", "can_send_on_behalf", "can_administer")
        return {name: self.cleaned_data[name] for name in names}

    def clean(self):
        data = super().clean()
        if not any(data.get(name) for name in self.declared_fields if name.startswith("can_")):
            raise forms.ValidationError(_("Tick at least one right."))
        return data


class CreateMailboxForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the address"), max_length=40,
        help_text=_("For example «secretariat»: the address becomes secretariat.<uai>@…"),
    )  # fmt: skip
    display_name = forms.CharField(label=_("Name shown to correspondents"), max_length=200)
    etablissement = forms.ModelChoiceField(label=_("Établissement"), queryset=None,
                                           empty_label=None)  # fmt: skip

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["etablissement"].queryset = creatable_etablissements(user)

    def clean_name(self):
        name = self.cleaned_data["name"].strip().lower()
        if not _LOCAL_PART.match(name):
            raise forms.ValidationError(
                _("Use lower-case letters without accents, digits, dots and hyphens.")
            )
        return name

    def clean(self):
        data = super().clean()
        if "name" in data and "etablissement" in data:
            imap_user = f"{data['name']}.{data['etablissement'].uai.lower()}"
            data["imap_user"] = imap_user
            data["address"] = f"{imap_user}@{settings.MAIL_DOMAIN}"
            taken = address_taken(data["address"]) or Mailbox.objects.filter(
                imap_user=imap_user
            ).exists() or User.objects.filter(username=imap_user).exists()
            if taken:
                self.add_error("name", _("The address %(address)s is already used.")
                               % {"address": data["address"]})  # fmt: skip
        return data


class MemberForm(RightsMixin):
    field_order = ["person", "starts_at", "ends_at"]

    person = forms.CharField(
        label=_("Person"), max_length=254,
        help_text=PERSON_HELP,
    )  # fmt: skip
    starts_at = forms.DateTimeField(
        label=_("From (optional)"), required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )  # fmt: skip
    ends_at = forms.DateTimeField(
        label=_("Until (optional)"), required=False,
        help_text=_("The access stops by itself at this date, and the person is told."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )  # fmt: skip

    def __init__(self, *args, mailbox, **kwargs):
        super().__init__(*args, **kwargs)
        self.mailbox = mailbox

    def clean_person(self):
        user = find_person(self.cleaned_data["person"])
        if not user.is_active:
            raise forms.ValidationError(_("Nobody has this login or address."))
        if user.id == self.mailbox.owner_id:
            raise forms.ValidationError(_("This is the owner of the mailbox."))
        return user

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The end must come after the start."))
        return data


class RoleGrantForm(RightsMixin):
    field_order = ["category", "etablissement"]

    category = forms.ChoiceField(label=_("Role"), choices=User.Category.choices)
    etablissement = forms.ModelChoiceField(label=_("Établissement"), queryset=None,
                                           empty_label=None)  # fmt: skip

    def __init__(self, *args, user, mailbox, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = creatable_etablissements(user)
        if mailbox.etablissement_id:
            allowed = allowed | Etablissement.objects.filter(id=mailbox.etablissement_id)
        self.fields["etablissement"].queryset = allowed.distinct()
        self.fields["etablissement"].initial = mailbox.etablissement_id


class FolderAddressForm(forms.Form):
    local_part = forms.CharField(
        label=_("Address of the folder"), max_length=40,
        help_text=_("The part before @, e.g. absences.0311234y"),
    )  # fmt: skip
    folder = forms.ChoiceField(label=_("Folder that receives the mail"))

    def __init__(self, *args, folders, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["folder"].choices = folders

    def clean_local_part(self):
        local = self.cleaned_data["local_part"].strip().lower()
        if not _LOCAL_PART.match(local):
            raise forms.ValidationError(
                _("Use lower-case letters without accents, digits, dots and hyphens.")
            )
        address = f"{local}@{settings.MAIL_DOMAIN}"
        if address_taken(address):
            raise forms.ValidationError(
                _("The address %(address)s is already used."), params={"address": address}
            )
        return address


class MailboxSignatureForm(forms.ModelForm):
    class Meta:
        model = MailboxSignature
        fields = ["name", "body", "is_default"]
        widgets = {"body": forms.Textarea(attrs={"rows": 4})}
