"""Template context every page needs about the signed-in account."""

from functools import cache

from accounts import notices


def account(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Counted when a page shows it (the header), once: not for the message body's frame,
    # the JSON answers or the pages without the header.
    return {"unread_notices": cache(lambda: notices.unread_count(user))}
