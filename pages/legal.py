"""The notices a French public service must carry, readable without signing in, with the
académie's own values (settings: ACADEMIE_*, ACCESSIBILITY_CONTACT)."""

from django.conf import settings
from django.shortcuts import render


def _academie() -> dict:
    return {
        "name": settings.ACADEMIE_NAME,
        "address": settings.ACADEMIE_ADDRESS,
        "director": settings.ACADEMIE_PUBLICATION_DIRECTOR,
        "host": settings.ACADEMIE_HOST,
        "dpo": settings.ACADEMIE_DPO_CONTACT,
        "accessibility": settings.ACCESSIBILITY_CONTACT,
    }


def accessibility(request):
    return render(request, "pages/accessibility.html", {"academie": _academie()})


def legal_notice(request):
    return render(request, "pages/legal_notice.html", {"academie": _academie()})


def personal_data(request):
    context = {
        "academie": _academie(),
        "failure_hours": settings.LOGIN_FAILURE_WINDOW_SECONDS // 3600,
        "session_hours": settings.SESSION_COOKIE_AGE // 3600,
        "shared_file_days": settings.SHARED_FILE_DAYS,
        "inactivity_days": settings.INACTIVITY_SUSPEND_DAYS,
    }
    return render(request, "pages/personal_data.html", context)
