"""GET /agenda/disponibilites/?email=…&debut=…&fin=…: busy periods as JSON (the scheduling
assistant reads it). Parameters checked here, the rest in calendar_app.freebusy."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from calendar_app import freebusy, school


def _error(message: str) -> JsonResponse:
    return JsonResponse({"erreur": message}, status=400)


def _valid_email(value: str) -> bool:
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


@require_GET
@login_required
def availability(request):
    emails = list(dict.fromkeys(e.strip() for e in request.GET.getlist("email") if e.strip()))
    if not emails:
        return _error(_("Give at least one address in «email»."))
    if len(emails) > freebusy.MAX_PEOPLE:
        return _error(_("At most %(count)d addresses at once.") % {"count": freebusy.MAX_PEOPLE})
    wrong = [e for e in emails if not _valid_email(e)]
    if wrong:
        return _error(_("This is not an e-mail address: %(address)s") % {"address": wrong[0]})
    start = freebusy.parse_moment(request.GET.get("debut", ""))
    end = freebusy.parse_moment(request.GET.get("fin", ""))
    if start is None or end is None:
        return _error(_("«debut» and «fin» must be dates in ISO 8601 form, for example "
                        "2026-12-07T08:00:00+01:00."))  # fmt: skip
    if end <= start:
        return _error(_("«fin» must come after «debut»."))
    if end - start > freebusy.MAX_RANGE:
        return _error(_("Ask for %(days)d days at most.") % {"days": freebusy.MAX_RANGE.days})
    people = freebusy.busy_of(request.user, emails, start, end)
    holidays = school.public_holidays_between(request.user, start.date(), end.date())
    return JsonResponse({
        "debut": start.isoformat(), "fin": end.isoformat(),
        "jours_feries": [day.isoformat() for day in holidays],
        "personnes": [{
            "email": p.email, "nom": p.name, "connu": p.known,
            "occupe": [{"debut": b.start.isoformat(), "fin": b.end.isoformat(),
                        "titre": b.title, "journee": b.all_day} for b in p.periods],
        } for p in people],
    })  # fmt: skip
