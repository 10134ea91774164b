"""«Indésirable», «Pas indésirable» (list and message actions) and «Signaler un hameçonnage»."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from mail.access import access_mailbox
from mail.imap import InvalidRequest
from mail.outgoing.sending import SenderNotAllowed
from mail.pipeline import junk
from mail.webmail.views.common import safe_next


def mark_junk(request, mailbox, *, folder: str, uids: list[int], is_spam: bool, fallback: str):
    """Called by the list and message actions view for the "junk" and "notjunk" actions."""
    try:
        count = junk.mark_junk(mailbox=mailbox, folder=folder, uids=uids, is_spam=is_spam)
    except InvalidRequest:
        messages.error(request, _("That could not be done. The messages are unchanged."))
        return redirect(safe_next(request, fallback))
    if is_spam:
        text = ngettext(
            "%(n)d message moved to Junk. Similar messages will go there too.",
            "%(n)d messages moved to Junk. Similar messages will go there too.",
            count,
        )
    else:
        text = ngettext(
            "%(n)d message moved back to the inbox. Similar messages will stay there.",
            "%(n)d messages moved back to the inbox. Similar messages will stay there.",
            count,
        )
    messages.success(request, text % {"n": count})
    # The message page of a moved message no longer exists: back to the folder it was in.
    return redirect(safe_next(request, fallback))


@login_required
@require_POST
def report_phishing(request, mailbox_id: int):
    mailbox = access_mailbox(request.user, mailbox_id, manage=True)
    folder = request.POST.get("folder") or "INBOX"
    fallback = reverse("mail:folder", args=[mailbox.id, folder])
    uid = request.POST.get("uid", "")
    if not uid.isdigit():
        messages.error(request, _("Choose the message to report."))
        return redirect(safe_next(request, fallback))
    try:
        junk.report_phishing(user=request.user, mailbox=mailbox, folder=folder, uid=int(uid))
    except (InvalidRequest, SenderNotAllowed):
        messages.error(request, _("The message could not be reported. It is unchanged."))
        return redirect(safe_next(request, fallback))
    messages.success(
        request,
        _(
            "Thank you! The message was sent to the académie's security team and moved to "
            "Junk. Do not click its links and do not answer it."
        ),
    )
    return redirect(safe_next(request, fallback))
