"""What the pages built on the DAV store share: a store that does not answer is a page saying
so (503), never a 500; a missing calendar, event or card is a 404."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from dav.client import DavNotFound, DavUnavailable


def store_required(unavailable_template: str):
    """A decorator for signed-in pages that talk to the store; ``unavailable_template`` is
    the app's own «indisponible» page."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                return view(request, *args, **kwargs)
            except DavUnavailable:
                return render(request, unavailable_template, status=503)
            except DavNotFound as exc:
                raise Http404 from exc

        return login_required(wrapper)

    return decorator
