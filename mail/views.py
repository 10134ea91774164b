"""Webmail pages: parse the request, call the IMAP session, render."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from mail.access import access_mailbox, readable_mailboxes
from mail.imap import InvalidRequest, imap_session
from mail.message import read_message


@login_required
@require_GET
def home(request):
    mailbox = readable_mailboxes(request.user).filter(owner=request.user).first()
    if mailbox is None:
        mailbox = readable_mailboxes(request.user).first()
    if mailbox is None:
        return render(request, "mail/no_mailbox.html")
    return redirect("mail:folder", mailbox_id=mailbox.id, folder="INBOX")


def _page_number(request) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


@login_required
@require_GET
def folder(request, mailbox_id: int, folder: str):
    mailbox = access_mailbox(request.user, mailbox_id)
    try:
        with imap_session(mailbox.imap_user) as box:
            page = box.list_page(
                folder, page=_page_number(request), page_size=settings.MAIL_PAGE_SIZE
            )
    except InvalidRequest:
        raise Http404 from None
    return render(
        request,
        "mail/folder.html",
        {
            "mailbox": mailbox,
            "mailboxes": readable_mailboxes(request.user),
            "page": page,
        },
    )


@login_required
@require_GET
def message(request, mailbox_id: int, folder: str, uid: int):
    mailbox = access_mailbox(request.user, mailbox_id)
    try:
        with imap_session(mailbox.imap_user) as box:
            raw = box.fetch_raw(folder, uid)
    except InvalidRequest:
        raise Http404 from None
    if raw is None:
        raise Http404
    return render(
        request,
        "mail/message.html",
        {
            "mailbox": mailbox,
            "mailboxes": readable_mailboxes(request.user),
            "folder": folder,
            "uid": uid,
            "message": read_message(raw),
        },
    )
