"""/agenda/preferences/: how the agenda is shown (the «semaine A / semaine B» label)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from calendar_app.models import AgendaSettings


class PreferencesForm(forms.ModelForm):
    class Meta:
        model = AgendaSettings
        fields = ["alternate_weeks", "week_a"]
        labels = {"alternate_weeks": gettext_lazy("Show «week A» and «week B»"),
                  "week_a": gettext_lazy("A day of a week A")}  # fmt: skip

    def clean(self):
        data = super().clean()
        if data.get("alternate_weeks") and not data.get("week_a"):
            self.add_error("week_a", _("Give a day of a week A, so that the others follow."))
        return data


@login_required
def preferences(request):
    form = PreferencesForm(request.POST or None, instance=AgendaSettings.of(request.user))
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Preferences saved."))
        return redirect("calendar_app:preferences")
    return render(request, "calendar_app/preferences.html", {"form": form})
