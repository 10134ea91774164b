"""What every webmail page needs: the mailbox, its folder tree, the quota, the other
mailboxes one may read."""

from django.utils.http import url_has_allowed_host_and_scheme

from mail.access import mailbox_rights, readable_mailboxes, reads_only_own
from mail.imap import InvalidRequest, MailStoreUnavailable, imap_session
from mail.imap.folders import folder_tree
from mail.models import FolderColour

# Set by views.undo.offer_undo after a move or a deletion; shown once, on the next mail page.
UNDO_SESSION_KEY = "mail_undo"


def sidebar_context(request, mailbox, box, *, refresh: bool = True) -> dict:
    """``refresh=False`` when the view has just listed the folders in this request."""
    colours = dict(
        FolderColour.objects.filter(user=request.user, mailbox=mailbox).values_list(
            "folder", "colour"
        )
    )
    quota = box.quota()
    return {
        "mailbox": mailbox,
        "rights": _rights(request, mailbox),
        "other_mailboxes": other_mailboxes(request.user, mailbox),
        "folders": folder_tree(box.folders(refresh=refresh), colours),
        "quota": quota,
        "quota_used": quota[0] * 1024 if quota else 0,
        "quota_limit": quota[1] * 1024 if quota else 0,
        "quota_percent": round(100 * quota[0] / quota[1]) if quota and quota[1] else None,
        "undo": request.session.pop(UNDO_SESSION_KEY, None),
    }


def _rights(request, mailbox):
    rights = getattr(mailbox, "rights", None)  # set by access_mailbox
    if rights is None:
        rights = mailbox.rights = mailbox_rights(request.user, mailbox)
    return rights


def other_mailboxes(user, current) -> list[dict]:
    """The person's other mailboxes, with the unread count of each INBOX (None: unknown)."""
    if current.owner_id == user.id and reads_only_own(user):
        return []
    found = []
    for mailbox in readable_mailboxes(user).exclude(id=current.id).order_by("kind", "display_name"):
        try:
            with imap_session(mailbox.imap_user) as box:
                unread = box.unread_count()
        except (MailStoreUnavailable, InvalidRequest):
            unread = None
        found.append({"mailbox": mailbox, "unread": unread, "own": mailbox.owner_id == user.id})
    return found


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
