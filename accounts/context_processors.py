"""Template context every page needs about the signed-in account."""

from accounts import notices


def account(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notices": notices.unread_count(user)}
