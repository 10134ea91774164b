"""The address book's forms: a contact (several addresses, phones, postal addresses), a group."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from contacts import vcard

LABELS = [
    ("work", pgettext_lazy("contact label", "Work")),
    ("home", pgettext_lazy("contact label", "Home")),
    ("cell", pgettext_lazy("contact label", "Mobile")),
    ("other", pgettext_lazy("contact label", "Other")),
]
SHORT, LONG = 200, 5000


class ContactForm(forms.Form):
    """Rows for what the card has, plus empty ones to add more (no script needed)."""

    given = forms.CharField(label=_("First name"), max_length=SHORT, required=False)
    family = forms.CharField(label=_("Last name"), max_length=SHORT, required=False)
    organisation = forms.CharField(label=_("Organisation"), max_length=SHORT, required=False)
    note = forms.CharField(label=_("Notes"), max_length=LONG, required=False,
                           widget=forms.Textarea)  # fmt: skip

    def __init__(self, *args, contact: vcard.Contact | None = None, **kwargs):
        contact = contact or vcard.Contact()
        initial = {"given": contact.given, "family": contact.family, "note": contact.note,
                   "organisation": contact.organisation}  # fmt: skip
        if not contact.given and not contact.family:
            initial["family"] = contact.full_name
        self.email_rows = max(3, len(contact.emails) + 1)
        self.phone_rows = max(2, len(contact.phones) + 1)
        self.address_rows = max(1, len(contact.addresses) + 1)
        super().__init__(*args, initial=initial, **kwargs)
        for i in range(self.email_rows):
            value = contact.emails[i] if i < len(contact.emails) else vcard.Labelled("work", "")
            self.fields[f"email_{i}"] = forms.EmailField(
                label=_("E-mail address %(n)s") % {"n": i + 1}, required=False, max_length=SHORT)
            self.fields[f"email_label_{i}"] = forms.ChoiceField(
                label=_("Kind of e-mail address %(n)s") % {"n": i + 1}, choices=LABELS,
                required=False)
            initial[f"email_{i}"], initial[f"email_label_{i}"] = value.value, value.label
        for i in range(self.phone_rows):
            value = contact.phones[i] if i < len(contact.phones) else vcard.Labelled("cell", "")
            self.fields[f"phone_{i}"] = forms.CharField(
                label=_("Phone %(n)s") % {"n": i + 1}, required=False, max_length=50)
            self.fields[f"phone_label_{i}"] = forms.ChoiceField(
                label=_("Kind of phone %(n)s") % {"n": i + 1}, choices=LABELS, required=False)
            initial[f"phone_{i}"], initial[f"phone_label_{i}"] = value.value, value.label
        for i in range(self.address_rows):
            value = (contact.addresses[i] if i < len(contact.addresses)
                     else vcard.PostalAddress("home"))  # fmt: skip
            n = {"n": i + 1}
            self.fields[f"street_{i}"] = forms.CharField(
                label=_("Street (address %(n)s)") % n, required=False, max_length=SHORT)
            self.fields[f"postcode_{i}"] = forms.CharField(
                label=_("Postcode (address %(n)s)") % n, required=False, max_length=20)
            self.fields[f"city_{i}"] = forms.CharField(
                label=_("City (address %(n)s)") % n, required=False, max_length=SHORT)
            self.fields[f"country_{i}"] = forms.CharField(
                label=_("Country (address %(n)s)") % n, required=False, max_length=SHORT)
            for part in ("street", "postcode", "city", "country"):
                initial[f"{part}_{i}"] = getattr(value, part)

    @property
    def email_fields(self) -> list[list]:
        return [[self[f"email_{i}"], self[f"email_label_{i}"]] for i in range(self.email_rows)]

    @property
    def phone_fields(self) -> list[list]:
        return [[self[f"phone_{i}"], self[f"phone_label_{i}"]] for i in range(self.phone_rows)]

    @property
    def address_fields(self) -> list[list]:
        return [[self[f"{p}_{i}"] for p in ("street", "postcode", "city", "country")]
                for i in range(self.address_rows)]  # fmt: skip

    def clean(self):
        data = super().clean()
        if not (data.get("given") or data.get("family") or data.get("organisation")
                or any(data.get(f"email_{i}") for i in range(self.email_rows))):
            raise forms.ValidationError(_("Give at least a name or an e-mail address."))
        return data

    def update(self, contact: vcard.Contact) -> vcard.Contact:
        data = self.cleaned_data
        contact.given, contact.family = data["given"].strip(), data["family"].strip()
        contact.organisation, contact.note = data["organisation"].strip(), data["note"].strip()
        contact.full_name = f"{contact.given} {contact.family}".strip() or contact.organisation
        contact.emails = [vcard.Labelled(data[f"email_label_{i}"] or "other", data[f"email_{i}"])
                          for i in range(self.email_rows) if data.get(f"email_{i}")]
        contact.phones = [vcard.Labelled(data[f"phone_label_{i}"] or "other",
                                         data[f"phone_{i}"].strip())
                          for i in range(self.phone_rows) if data.get(f"phone_{i}", "").strip()]
        contact.addresses = [a for a in (vcard.PostalAddress(
            "home", data[f"street_{i}"].strip(), data[f"postcode_{i}"].strip(),
            data[f"city_{i}"].strip(), data[f"country_{i}"].strip())
            for i in range(self.address_rows)) if a]
        return contact  # fmt: skip


class GroupForm(forms.Form):
    name = forms.CharField(label=_("Name of the group"), max_length=SHORT)
    note = forms.CharField(label=_("Notes"), max_length=LONG, required=False,
                           widget=forms.Textarea)  # fmt: skip
    members = forms.MultipleChoiceField(label=_("Members"), required=False,
                                        widget=forms.CheckboxSelectMultiple)  # fmt: skip

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].choices = [
            (p.uid, f"{p.name} ({p.emails[0]})" if p.emails else p.name) for p in people
        ]

    def update(self, group: vcard.Contact) -> vcard.Contact:
        group.kind = vcard.GROUP
        group.full_name = self.cleaned_data["name"].strip()
        group.note = self.cleaned_data["note"].strip()
        group.members = self.cleaned_data["members"]
        return group
