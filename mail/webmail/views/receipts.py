"""The reader's answer to a read-receipt request: send it, or not (RFC 8098 §2.1)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mail.access import access_mailbox
from mail.imap import InvalidRequest, imap_session
from mail.message.parse import read_message
from mail.outgoing import receipts


@login_required
@require_POST
def answer(request, mailbox_id: int, folder: str, uid: int):
    mailbox = access_mailbox(request.user, mailbox_id)
    send = request.POST.get("reponse") == "envoyer"
    try:
        with imap_session(mailbox.imap_user) as box:
            raw = box.fetch_raw(folder, uid, mark_seen=False)
            if raw is None:
                raise Http404
            original = read_message(raw)
            to = receipts.pending_request(request.user, mailbox, box, folder, uid, original)
            if to:
                if send:
                    receipts.send_receipt(request.user, mailbox, original, to)
                box.set_flag(folder, [uid], "mdnsent", True)
    except InvalidRequest:
        raise Http404 from None
    if to and send:
        messages.success(request, _("The read receipt is sent."))
    elif to:
        messages.info(request, _("No read receipt will be sent."))
    return redirect("mail:message", mailbox_id=mailbox.id, folder=folder, uid=uid)
