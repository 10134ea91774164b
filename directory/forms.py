"""The directory's search form: free words and three filters."""

from django import forms
from django.utils.translation import gettext_lazy as _

from directory.models import Discipline, Etablissement, Function
from directory.search import Filters


class DirectorySearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search the directory"), required=False, max_length=200,
        help_text=_("A name, an établissement (name, commune or UAI), a discipline or a "
                    "function, e.g. «helene dup», «0315678d», «CPE Blagnac»."),
    )
    etablissement = forms.ModelChoiceField(
        Etablissement.objects.all(), label=_("Établissement"), required=False,
        empty_label=_("All établissements"),
    )
    discipline = forms.ModelChoiceField(
        Discipline.objects.all(), label=_("Discipline"), required=False,
        empty_label=_("All disciplines"),
    )
    function = forms.ModelChoiceField(
        Function.objects.all(), label=_("Function"), required=False,
        empty_label=_("All functions"),
    )

    def query(self) -> tuple[str, Filters]:
        """The words and filters of a valid form; nothing for an invalid one."""
        if not self.is_valid():
            return "", Filters()
        data = self.cleaned_data
        return data["q"], Filters(
            etablissement=data["etablissement"].pk if data["etablissement"] else None,
            discipline=data["discipline"].pk if data["discipline"] else None,
            function=data["function"].pk if data["function"] else None,
        )
