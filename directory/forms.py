"""The directory's search form, and finding the one person a text field names."""

from email.utils import parseaddr

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from directory.models import Discipline, Etablissement, Function
from directory.search import Filters, search_people

SEVERAL = 5  # names shown when a person field fits several people
PERSON_HELP = _("A name, a login or an address, e.g. «camille martin»")


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


def find_person(value: str) -> User:
    """The one account that ``value`` names: a login, an address (as the suggestions write it,
    «Hélène Dupré <helene.dupre@…>»), or words of the directory that fit one person only."""
    value = value.strip()
    address = parseaddr(value)[1] or value
    exact = User.objects.filter(
        Q(username=value.lower()) | Q(email__iexact=address) | Q(email__iexact=value)
    ).first()
    if exact is not None:
        return exact
    found = search_people(value, viewer=None, limit=SEVERAL + 1)
    if len(found) == 1:
        return found[0].user
    if found:
        names = ", ".join(p.user.get_full_name() for p in found[:SEVERAL])
        raise forms.ValidationError(
            _("Several people match «%(value)s» (%(names)s…): choose one among the "
              "suggestions, or type more of the name."),
            params={"value": value, "names": names},
        )  # fmt: skip
    raise forms.ValidationError(_("Nobody has this login or address."))
