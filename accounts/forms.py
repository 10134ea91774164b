"""The preferences form."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts.models import Preferences

# Metropolitan France and the overseas académies.
TIME_ZONES = [
    ("Europe/Paris", _("Metropolitan France (Paris)")),
    ("America/Guadeloupe", _("Guadeloupe")),
    ("America/Martinique", _("Martinique")),
    ("America/Cayenne", _("French Guiana")),
    ("Indian/Reunion", _("La Réunion")),
    ("Indian/Mayotte", _("Mayotte")),
    ("Pacific/Noumea", _("New Caledonia")),
    ("Pacific/Tahiti", _("French Polynesia")),
    ("America/Miquelon", _("Saint-Pierre-et-Miquelon")),
    ("Pacific/Wallis", _("Wallis and Futuna")),
]


class PreferencesForm(forms.ModelForm):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=TIME_ZONES)

    class Meta:
        model = Preferences
        fields = [
            "page_size",
            "conversations",
            "reading_pane",
            "prefer_html",
            "mark_read",
            "undo_send_seconds",
            "language",
            "time_zone",
        ]
