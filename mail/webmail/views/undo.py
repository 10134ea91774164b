"""«Annuler» for a few seconds after messages were moved or deleted (to the Trash): the
notice carries a signed note of where they went and their new UIDs, and moves them back."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from mail.access import access_mailbox
from mail.imap import InvalidRequest, imap_session
from mail.webmail.views.common import UNDO_SESSION_KEY, safe_next

_SALT = "mail-undo-move"
# The notice hides itself after a few seconds; the note stays valid a little longer, for
# someone who reads slowly or uses a screen reader.
UNDO_MAX_AGE = 300


def offer_undo(request, *, mailbox, text: str, moved: dict[int, int], source: str, target: str):
    """Show ``text`` with «Annuler» on the next mail page."""
    note = {"user": request.user.id, "mailbox": mailbox.id, "from": target, "to": source,
            "uids": sorted(moved.values())}  # fmt: skip
    request.session[UNDO_SESSION_KEY] = {
        "text": text,
        "mailbox": mailbox.id,
        "token": signing.dumps(note, salt=_SALT),
    }


@login_required
@require_POST
def undo_move(request, mailbox_id: int):
    mailbox = access_mailbox(request.user, mailbox_id, manage=True)
    fallback = reverse("mail:folder", args=[mailbox.id, "INBOX"])
    try:
        note = signing.loads(request.POST.get("t", ""), salt=_SALT, max_age=UNDO_MAX_AGE)
    except signing.BadSignature:
        messages.error(request, _too_late())
        return redirect(safe_next(request, fallback))
    if note.get("user") != request.user.id or note.get("mailbox") != mailbox.id:
        messages.error(request, _too_late())
        return redirect(safe_next(request, fallback))
    try:
        with imap_session(mailbox.imap_user) as box:
            back = box.move(note["from"], note["uids"], note["to"])
    except InvalidRequest:  # the folder is gone meanwhile
        back = {}
    if not back:  # moved or deleted again since, by this page or another client
        messages.error(request, _too_late())
        return redirect(safe_next(request, fallback))
    count = len(back)
    messages.success(
        request,
        ngettext("%(n)d message put back.", "%(n)d messages put back.", count) % {"n": count},
    )
    return redirect(safe_next(request, fallback))


def _too_late() -> str:
    return _("These messages can no longer be put back from here.")
