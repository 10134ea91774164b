"""The notification preferences form."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from notifications.models import NotificationSettings


class NotificationSettingsForm(forms.ModelForm):
    digest_folders = forms.MultipleChoiceField(
        label=_("Folders in the summary"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = NotificationSettings
        fields = [
            "in_page",
            "browser",
            "quiet_start",
            "quiet_end",
            "quiet_weekends",
            "urgent_senders",
            "digest",
            "digest_hour",
            "digest_folders",
        ]
        widgets = {
            "quiet_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "quiet_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "urgent_senders": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, folders: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        known = dict(folders)
        for name in self.instance.digest_folders:  # a chosen folder the server did not list
            known.setdefault(name, name)
        self.fields["digest_folders"].choices = list(known.items())

    def clean_urgent_senders(self):
        lines = [line.strip() for line in self.cleaned_data["urgent_senders"].splitlines()]
        addresses = [line for line in lines if line]
        for address in addresses:
            try:
                validate_email(address)
            except ValidationError:
                raise ValidationError(
                    _("“%(value)s” is not a valid e-mail address."), params={"value": address}
                ) from None
        return "\n".join(address.lower() for address in addresses)

    def clean(self):
        data = super().clean()
        if data.get("digest") and not data.get("digest_folders"):
            self.add_error("digest_folders", _("Choose at least one folder for the summary."))
        return data
