"""Team work on a message of a shared mailbox: assign, change the state, add a note; the
«mes messages attribués» list, and finding a message again wherever it was moved."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from mail.access import access_mailbox
from mail.imap import InvalidRequest, imap_session
from mail.webmail.views.common import sidebar_context
from shared_mailboxes import teamwork
from shared_mailboxes.models import MessageWork
from shared_mailboxes.teamwork import MessageRef, WorkError


def _version(request) -> int:
    value = request.POST.get("version", "")
    if not value.isdigit():
        raise Http404
    return int(value)


@login_required
@require_POST
def change(request, mailbox_id: int, folder: str, uid: int):
    operation = request.POST.get("operation")
    # A note needs only to read the mailbox; assigning and states are managing it.
    mailbox = access_mailbox(request.user, mailbox_id, manage=operation != "note")
    back = reverse("mail:message", args=[mailbox.id, folder, uid])
    try:
        with imap_session(mailbox.imap_user) as box:
            found = box.identify(folder, [uid]).get(uid)
            if found is None:
                raise Http404
            ref = MessageRef(folder, uid, found[0], found[1])
            if operation == "note":
                teamwork.check_add_note(user=request.user, mailbox=mailbox, ref=ref,
                                        text=request.POST.get("text", ""))  # fmt: skip
                messages.success(request, _("Note added. Only the mailbox's members see it."))
            elif operation == "assign":
                assignee = None
                if request.POST.get("assignee"):
                    assignee = User.objects.filter(id=_int(request.POST["assignee"])).first()
                    if assignee is None:
                        raise WorkError(_("This person is not a member of the mailbox."))
                teamwork.check_change_work(
                    user=request.user, mailbox=mailbox, box=box, ref=ref,
                    seen_version=_version(request), assignee=assignee,
                )  # fmt: skip
                messages.success(
                    request,
                    _("Message assigned to %(name)s.") % {"name": assignee.get_full_name()}
                    if assignee else _("The message is no longer assigned."),
                )  # fmt: skip
            elif operation == "state":
                state = request.POST.get("state", "")
                teamwork.check_change_work(
                    user=request.user, mailbox=mailbox, box=box, ref=ref,
                    seen_version=_version(request), state=state,
                )  # fmt: skip
                messages.success(request, _("State saved."))
            else:
                raise Http404
    except InvalidRequest:
        raise Http404 from None
    except WorkError as error:
        messages.error(request, str(error))
    return redirect(back)


def _int(value: str) -> int:
    return int(value) if value.isdigit() else 0


@login_required
@require_GET
def assigned(request, mailbox_id: int):
    """«Mes messages attribués» in this mailbox, the ones still to finish first."""
    mailbox = access_mailbox(request.user, mailbox_id)
    works = MessageWork.objects.filter(mailbox=mailbox, assignee=request.user)
    if request.GET.get("tous") != "1":
        works = works.exclude(state=MessageWork.State.DONE)
    with imap_session(mailbox.imap_user) as box:
        context = sidebar_context(request, mailbox, box)
    return render(
        request,
        "shared_mailboxes/assigned.html",
        {**context, "works": works, "all": request.GET.get("tous") == "1"},
    )


@login_required
@require_GET
def locate(request, mailbox_id: int):
    """The message with this Message-ID, in whatever folder it is now."""
    mailbox = access_mailbox(request.user, mailbox_id)
    try:
        with imap_session(mailbox.imap_user) as box:
            found = box.locate(request.GET.get("mid", ""))
    except InvalidRequest:
        raise Http404 from None
    if found is None:
        messages.error(request, _("This message is no longer in the mailbox (deleted for good)."))
        return redirect("shared_mailboxes:assigned", mailbox_id=mailbox.id)
    return redirect("mail:message", mailbox_id=mailbox.id, folder=found[0], uid=found[1])
