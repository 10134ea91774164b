"""Pages for a signed-in person show their mail or account: no cache keeps them."""

from django.utils.cache import patch_cache_control


class PrivatePagesMiddleware:
    """``Cache-Control: private, no-store`` on every response to a signed-in person, unless
    the view chose its own (a remote image kept an hour in the browser's private cache)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response
