"""What every webmail page needs: the mailbox, its folder tree, the quota."""

from django.utils.http import url_has_allowed_host_and_scheme

from mail.access import readable_mailboxes
from mail.imap.folders import folder_tree
from mail.models import FolderColour
from shared_mailboxes.pages import other_mailboxes, rights_of


def sidebar_context(request, mailbox, box) -> dict:
    colours = dict(
        FolderColour.objects.filter(user=request.user, mailbox=mailbox).values_list(
            "folder", "colour"
        )
    )
    quota = box.quota()
    return {
        "mailbox": mailbox,
        "rights": rights_of(request, mailbox),
        "other_mailboxes": other_mailboxes(request.user, mailbox),
        "mailboxes": readable_mailboxes(request.user),
        "folders": folder_tree(box.folders(refresh=True), colours),
        "quota": quota,
        "quota_used": quota[0] * 1024 if quota else 0,
        "quota_limit": quota[1] * 1024 if quota else 0,
        "quota_percent": round(100 * quota[0] / quota[1]) if quota and quota[1] else None,
    }


def safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def page_size(request) -> int:
    return request.preferences.page_size
