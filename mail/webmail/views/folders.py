"""Folder management: create, rename, delete (contents to the Trash), colour, subscribe, empty."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from mail.access import access_mailbox
from mail.imap import InvalidRequest, imap_session
from mail.imap.folders import find, label_for
from mail.models import FolderColour
from mail.webmail.forms import FolderColourForm, FolderForm
from mail.webmail.views.common import sidebar_context


@login_required
@require_http_methods(["GET", "POST"])
def manage(request, mailbox_id: int):
    """The list of folders, and the form that creates one."""
    mailbox = access_mailbox(request.user, mailbox_id, manage=request.method == "POST")
    form = FolderForm(request.POST or None)
    with imap_session(mailbox.imap_user) as box:
        if request.method == "POST" and form.is_valid():
            name = form.cleaned_data["name"]
            if find(box.folders(), name):
                form.add_error("name", _("A folder with this name already exists."))
            else:
                try:
                    box.create_folder(name)
                except InvalidRequest as refused:
                    form.add_error(
                        "name", refused.reason or _("The mail server refused this folder name.")
                    )
                else:
                    messages.success(request, _("Folder “%(name)s” created.") % {"name": name})
                    return redirect("mail:folders", mailbox_id=mailbox.id)
        context = sidebar_context(request, mailbox, box)
    return render(request, "mail/folders.html", {**context, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, mailbox_id: int, folder: str):
    """Rename, colour, subscribe, or delete one folder (deletion asks for confirmation)."""
    mailbox = access_mailbox(request.user, mailbox_id, manage=request.method == "POST")
    with imap_session(mailbox.imap_user) as box:
        context = sidebar_context(request, mailbox, box)
        current = find(box.folders(), folder)
        if current is None:
            raise Http404
        rename = FolderForm(initial={"name": folder}, prefix="rename")
        colour = FolderColourForm(
            initial={
                "colour": next((e.colour for e in context["folders"] if e.name == folder), "")
            },
            prefix="colour",
        )
        if request.method == "POST":
            done = _apply(request, mailbox, box, current)
            if done:
                return done
            rename = FolderForm(request.POST, prefix="rename")
            rename.is_valid()
    return render(
        request,
        "mail/folder_edit.html",
        {
            **context,
            "current": current,
            "label": label_for(current),
            "rename": rename,
            "colour": colour,
            "confirm_delete": request.GET.get("supprimer") == "1",
        },
    )


def _apply(request, mailbox, box, current):
    operation = request.POST.get("operation")
    back = redirect("mail:folders", mailbox_id=mailbox.id)
    try:
        if operation == "rename":
            form = FolderForm(request.POST, prefix="rename")
            if not form.is_valid():
                return None
            box.rename_folder(current.name, form.cleaned_data["name"])
            FolderColour.objects.filter(
                user=request.user, mailbox=mailbox, folder=current.name
            ).update(folder=form.cleaned_data["name"])
            messages.success(request, _("Folder renamed."))
        elif operation == "colour":
            form = FolderColourForm(request.POST, prefix="colour")
            if form.is_valid():
                FolderColour.objects.update_or_create(
                    user=request.user,
                    mailbox=mailbox,
                    folder=current.name,
                    defaults={"colour": form.cleaned_data["colour"]},
                )
                messages.success(request, _("Colour saved."))
        elif operation in ("subscribe", "unsubscribe"):
            box.subscribe(current.name, operation == "subscribe")
            messages.success(request, _("Done."))
        elif operation == "delete":
            box.delete_folder(current.name)
            FolderColour.objects.filter(
                user=request.user, mailbox=mailbox, folder=current.name
            ).delete()
            messages.success(request, _("Folder deleted; its messages are in the Trash."))
        else:
            return None
    except InvalidRequest as refused:
        messages.error(
            request,
            refused.reason
            or _(
                "That could not be done: special folders cannot be renamed "
                "or deleted, and names must be unique."
            ),
        )
    return back


@login_required
@require_POST
def empty(request, mailbox_id: int, folder: str):
    mailbox = access_mailbox(request.user, mailbox_id, manage=True)
    try:
        with imap_session(mailbox.imap_user) as box:
            count = box.empty(folder)
    except InvalidRequest:
        messages.error(request, _("Only the Trash and Junk folders can be emptied."))
    else:
        messages.success(request, _("Folder emptied (%(n)d messages deleted).") % {"n": count})
    return redirect(reverse("mail:folder", args=[mailbox.id, folder]))
