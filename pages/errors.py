"""Error pages in French with the site's header, a plain explanation and a way back.

Wired as handler400/403/404/429/500 in the root URLconf (allauth's rate limits use
handler429 too) and as CSRF_FAILURE_VIEW; handler500 answers 503 when the database is out
of reach. The mail store's and the agenda store's 503 have their own pages.
"""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

PAGES = {
    400: (
        _("Request not understood"),
        _("The page received a request it cannot read. This can happen after following a "
          "damaged or truncated link."),
        _("Go back to the previous page and try again, or start again from your inbox."),
    ),
    403: (
        _("Access denied"),
        _("You are signed in, but this page is not open to your account."),
        _("If you think you should have access, ask your établissement's IT referent."),
    ),
    404: (
        _("Page not found"),
        _("The page you are looking for cannot be found. The address may be mistyped, or the "
          "page (a message, a folder) may have been moved or deleted."),
        _("Check the address, or start again from your inbox."),
    ),
    429: (
        _("Too many requests"),
        _("Too many requests came from your connection in a short time. Nothing has been lost."),
        _("Wait a minute, then try again."),
    ),
    500: (
        _("Unexpected error"),
        _("Sorry, the service met an unexpected error. The technical team has been told. "
          "Nothing you had sent or saved has been lost."),
        _("Try again in a few moments. If the problem continues, tell your établissement's IT "
          "referent what you were doing."),
    ),
    503: (
        _("Service unavailable"),
        _("The service is being maintained or is overloaded for a moment."),
        _("Try again in a few minutes."),
    ),
}
CSRF_FAILURE = (
    _("Form expired"),
    _("This form was open too long, or your session changed in another tab, so it could not "
      "be accepted safely. Nothing was sent."),
    _("Go back, reload the page, then send the form again."),
)


def error_page(request, status: int, texts=None):
    title, explanation, hint = texts or PAGES[status]
    context = {"status": status, "title": title, "explanation": explanation, "hint": hint}
    return render(request, "errors/page.html", context, status=status)


def bad_request(request, exception=None):
    return error_page(request, 400)


def permission_denied(request, exception=None):
    return error_page(request, 403)


def page_not_found(request, exception=None):
    return error_page(request, 404)


def too_many_requests(request, exception=None):
    return error_page(request, 429)


def csrf_failure(request, reason=""):
    return error_page(request, 403, CSRF_FAILURE)


def server_error(request):
    # Called while the exception is handled: the database out of reach (a restart, a
    # failover) is no bug to report but a wait, «try again in a few minutes».
    status = 503 if isinstance(sys.exc_info()[1], (OperationalError, InterfaceError)) else 500
    try:
        return error_page(request, status)
    except Exception:
        # The error may come from what every page needs (the database behind the header's
        # context): the same page without the request's context then.
        logger.exception("error page rendered without request context")
        title, explanation, hint = PAGES[status]
        html = loader.get_template("errors/page.html").render(
            {"status": status, "title": title, "explanation": explanation, "hint": hint}
        )
        return HttpResponse(html, status=status)
