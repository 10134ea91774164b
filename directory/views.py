"""The académie's directory («Annuaire»): search, a person's card, an établissement's card."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from directory import cards
from directory.forms import DirectorySearchForm
from directory.models import Etablissement
from directory.search import listed_people, search_etablissements, search_people
from directory.suggestions import display_address, person_suggestion

RESULTS = 50


def _results(request) -> dict:
    form = DirectorySearchForm(request.GET or None)
    words, filters = form.query()
    return {
        "form": form,
        "searched": bool(words.strip() or filters),
        "people": search_people(words, viewer=request.user, filters=filters, limit=RESULTS),
        "etablissements": [] if filters else search_etablissements(words, limit=5),
        "limit": RESULTS,
    }


@login_required
@require_GET
def search(request):
    return render(request, "directory/search.html", _results(request))


@login_required
@require_GET
def results(request):
    """The results alone, for the page's script to put in place while one types."""
    return render(request, "directory/_results.html", _results(request))


@login_required
@require_GET
def people_suggestions(request):
    """People only (no lists, no outside addresses): for pickers such as a shared mailbox's
    members."""
    found = search_people(request.GET.get("q", "")[:200], viewer=request.user, limit=10)
    return JsonResponse({"results": [person_suggestion(p).as_json() for p in found]})


@login_required
@require_GET
def person(request, user_id: int):
    entry = get_object_or_404(listed_people().select_related("user"), pk=user_id)
    user = entry.user
    write = urlencode({"a": display_address(user.get_full_name(), user.email)})
    invite = urlencode({"participants": user.email})  # the event form reads it (#13)
    return render(request, "directory/person.html", {
        **cards.person_card(entry), "write_url": f"{reverse('mail:compose')}?{write}",
        "invite_url": f"{reverse('calendar_app:event_new')}?{invite}",
    })  # fmt: skip


@login_required
@require_GET
def etablissement(request, uai: str):
    etab = get_object_or_404(Etablissement, uai=uai.upper())
    return render(request, "directory/etablissement.html", cards.etablissement_card(etab))
