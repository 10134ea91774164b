"""Message lists: a folder, a search, and the actions on selected messages."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from mail.access import access_mailbox, readable_mailboxes
from mail.imap import InvalidRequest, imap_session
from mail.imap.folders import find, label_for
from mail.imap.types import check_folder
from mail.models import DraftBackup
from mail.webmail.forms import ListOptionsForm, MessageActionForm, SearchForm
from mail.webmail.list_rows import (
    conversation_rows,
    conversation_rows_html,
    message_rows,
    message_rows_html,
)
from mail.webmail.views import junk
from mail.webmail.views.common import page_size, query_without_page, safe_next, sidebar_context
from mail.webmail.views.reading import reading_context
from mail.webmail.views.undo import offer_undo
from shared_mailboxes.webmail import journal_action


@login_required
@require_GET
def home(request):
    mailbox = readable_mailboxes(request.user).filter(owner=request.user).first()
    if mailbox is None:
        mailbox = readable_mailboxes(request.user).first()
    if mailbox is None:
        return render(request, "mail/no_mailbox.html")
    return redirect("mail:folder", mailbox_id=mailbox.id, folder="INBOX")


@login_required
@require_GET
def folder(request, mailbox_id: int, folder: str):
    mailbox = access_mailbox(request.user, mailbox_id)
    options, refusals = ListOptionsForm.read(request.GET)
    for refusal in refusals:
        messages.error(request, refusal)
    pane = request.preferences.reading_pane
    view = request.GET.get("vue") or (
        "conversations" if request.preferences.conversations else "messages"
    )
    reading = None
    try:
        with imap_session(mailbox.imap_user) as box:
            if pane and request.GET.get("lire", "").isdigit():
                reading = reading_context(request, mailbox, box, folder, int(request.GET["lire"]))
            if view == "conversations":
                page = box.conversations_page(
                    folder,
                    page=options["page"],
                    page_size=page_size(request),
                    query=options["query"],
                )
            else:
                page = box.list_page(
                    folder,
                    page=options["page"],
                    page_size=page_size(request),
                    sort=options["sort"],
                    reverse=options["reverse"],
                    query=options["query"],
                )
            # The list has just asked the folders' LIST-STATUS for the folder's state.
            context = sidebar_context(request, mailbox, box, refresh=False)
            current = find(box.folders(), folder)
    except InvalidRequest:
        raise Http404 from None
    if current is None:
        raise Http404
    # Reversed once, not once per row: the list is the hottest page of the app.
    message_base = reverse("mail:message", args=[mailbox.id, folder, 1])[:-2]
    query_string = query_without_page(request)
    if view == "conversations":
        rows_html = conversation_rows_html(conversation_rows(page.conversations, message_base))
    else:
        href = _pane_link(query_string, page.page) if pane else lambda e: f"{message_base}{e.uid}/"
        current_uid = reading["uid"] if reading else None
        rows_html = message_rows_html(message_rows(page.envelopes, href, current_uid=current_uid))
    return render(
        request,
        "mail/folder.html",
        {
            **context,
            "page": page,
            "current": current,
            "folder_label": label_for(current),
            "options": options,
            "query_string": query_string,
            "rows_html": rows_html,
            "pane": pane,
            "view": view,
            "drafts": DraftBackup.objects.filter(user=request.user, mailbox=mailbox)[:3]
            if folder == "INBOX"
            else [],
            **(reading or {}),
            "reading": reading is not None,
        },
    )


def _pane_link(query_string: str, page: int):
    """The list itself, with the message open in the reading pane beside it."""
    prefix = f"?{query_string}&" if query_string else "?"
    return lambda envelope: f"{prefix}page={page}&lire={envelope.uid}"


@login_required
@require_GET
def search(request, mailbox_id: int):
    mailbox = access_mailbox(request.user, mailbox_id)
    form = SearchForm(request.GET or None)
    page = None
    with imap_session(mailbox.imap_user) as box:
        if form.is_valid() and not form.query().is_empty:
            try:
                page = box.search_folders(
                    form.query(),
                    page=form.cleaned_data["page"] or 1,
                    page_size=page_size(request),
                    folder=form.cleaned_data["folder"] or None,
                )
            except InvalidRequest:
                form.add_error(None, _("This search cannot be run. Please simplify it."))
        # The search has just listed the folders with their counts: no second LIST.
        context = sidebar_context(request, mailbox, box, refresh=page is None)
    labels = {entry.name: entry.label for entry in context["folders"]}
    bases: dict[str, str] = {}  # each folder's message URL, reversed once

    def href(envelope) -> str:
        if envelope.folder not in bases:
            url = reverse("mail:message", args=[mailbox.id, envelope.folder, 1])
            bases[envelope.folder] = url[:-2]
        return f"{bases[envelope.folder]}{envelope.uid}/"

    return render(
        request,
        "mail/search.html",
        {
            **context,
            "form": form,
            "page": page,
            "rows": message_rows(page.envelopes, href, folder_labels=labels) if page else [],
            "query_string": query_without_page(request),
            "chosen_folder": form.cleaned_data.get("folder", "") if form.is_bound else "",
        },
    )


def _back_to(folder: str | None) -> str:
    """The list to return to: a forged name no folder can have (a line break, which no URL
    of a folder matches) returns to the INBOX instead of answering 500."""
    try:
        return check_folder(folder or "INBOX")
    except InvalidRequest:
        return "INBOX"


@login_required
@require_POST
def act(request, mailbox_id: int):
    """Mark, flag, move, archive or delete the selected messages."""
    mailbox = access_mailbox(request.user, mailbox_id, manage=True)
    form = MessageActionForm(request.POST)
    fallback = reverse("mail:folder", args=[mailbox.id, _back_to(request.POST.get("folder"))])
    if not form.is_valid():
        messages.error(request, _("Select at least one message, then choose what to do."))
        return redirect(safe_next(request, fallback))
    data = form.cleaned_data
    uids, action, folder_name = data["uid"], data["action"], data["folder"]
    if action in ("junk", "notjunk"):
        return junk.mark_junk(
            request, mailbox, folder=folder_name, uids=uids, is_spam=action == "junk",
            fallback=fallback,
        )  # fmt: skip
    moved, target = {}, data["target"]
    try:
        with imap_session(mailbox.imap_user) as box:
            if mailbox.rights.shared:  # journalled before the messages move away
                journal_action(request, mailbox, box, action, folder_name, uids, data["target"])
            if action in ("read", "unread"):
                box.set_flag(folder_name, uids, "seen", action == "read")
            elif action in ("flag", "unflag"):
                box.set_flag(folder_name, uids, "flagged", action == "flag")
            elif action == "delete":
                target = box.special_folder("trash")
                moved = box.delete(folder_name, uids)
            elif action == "archive":
                target = box.special_folder("archive")
                if target is None:
                    raise InvalidRequest("no archive folder")
                moved = box.move(folder_name, uids, target)
            else:
                moved = box.move(folder_name, uids, target)
    except InvalidRequest:
        messages.error(request, _("That could not be done. The messages are unchanged."))
        return redirect(safe_next(request, fallback))
    done = _action_done(action, len(uids))
    if moved:
        offer_undo(request, mailbox=mailbox, text=done, moved=moved, source=folder_name,
                   target=target)  # fmt: skip
    else:
        messages.success(request, done)
    return redirect(safe_next(request, fallback))


def _action_done(action: str, count: int) -> str:
    texts = {
        "read": ngettext("%(n)d message marked as read.", "%(n)d messages marked as read.", count),
        "unread": ngettext(
            "%(n)d message marked as unread.", "%(n)d messages marked as unread.", count
        ),
        "flag": ngettext("%(n)d message flagged.", "%(n)d messages flagged.", count),
        "unflag": ngettext("%(n)d message unflagged.", "%(n)d messages unflagged.", count),
        "archive": ngettext("%(n)d message archived.", "%(n)d messages archived.", count),
        "delete": ngettext("%(n)d message deleted.", "%(n)d messages deleted.", count),
        "move": ngettext("%(n)d message moved.", "%(n)d messages moved.", count),
    }
    return texts[action] % {"n": count}
