"""Writing: compose, reply, forward, autosaved drafts, the «À envoyer» list, «annuler»."""

import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.timezone import now
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from directory.suggestions import suggest
from mail.message.parse import read_message
from mail.models import DraftBackup, MessageTemplate, OutgoingMessage, Signature
from mail.outgoing import drafts
from mail.outgoing.carried import carried_parts, carried_uploads
from mail.outgoing.compose import Upload, forward_fields, reply_fields
from mail.outgoing.sending import (
    SenderNotAllowed,
    cancel_send,
    check_send_message,
    send_now,
    sender_mailboxes,
)
from mail.outgoing.working_hours import is_working_time, next_working_start
from mail.webmail.compose_forms import ComposeForm, attachment_limit
from mail.webmail.views.reading import fetch_raw_or_404
from shared_mailboxes.webmail import mailbox_signature_for, signatures_of_senders

EDITOR_LABELS = {
    "bold": gettext_lazy("Bold"),
    "italic": gettext_lazy("Italic"),
    "underline": gettext_lazy("Underline"),
    "list-ordered": gettext_lazy("Numbered list"),
    "list-bullet": gettext_lazy("Bulleted list"),
    "link": gettext_lazy("Link"),
    "blockquote": gettext_lazy("Quotation"),
    "table": gettext_lazy("Insert a table"),
    "clean": gettext_lazy("Remove formatting"),
}


def _signed(body: str, signature: Signature | None) -> str:
    """The signature goes above any quoted text, after the usual "-- " line (RFC 3676)."""
    if signature is None:
        return body
    return f"\n\n-- \n{signature.full_text}{body}"


def _initial(request, senders) -> dict:
    """Prefill from a draft to restore, or from the message answered or forwarded."""
    signature = Signature.objects.filter(user=request.user, is_default=True).first()
    initial = {
        "draft_key": uuid.uuid4(),
        "sender": senders.first(),
        "body": _signed("", signature),
        "signature": signature.id if signature else "",
        "to": request.GET.get("a", ""),  # «Écrire» from the directory's card
    }
    key = request.GET.get("brouillon")
    if key:
        backup = DraftBackup.objects.filter(user=request.user, key=key).first()
        if backup is None:
            raise Http404
        fields = dict(backup.fields)
        fields.pop("key", None)
        sender = senders.filter(id=fields.pop("sender", None) or 0).first()
        return {**initial, **fields, "draft_key": backup.key, "sender": sender or senders.first()}
    uid, folder = request.GET.get("uid", ""), request.GET.get("dossier", "INBOX")
    mode = request.GET.get("mode")
    if not uid.isdigit() or mode not in ("reponse", "tous", "transfert", "transfert-pj"):
        return initial
    mailbox_id = int(request.GET.get("boite", "0") or 0)
    mailbox, raw = fetch_raw_or_404(request, mailbox_id, folder, int(uid), mark_seen=False)
    original = read_message(raw)
    if mode == "transfert":
        fields = forward_fields(original)
        fields["carried_from"] = f"imap:{mailbox.id}:{uid}:{folder}"
        fields["carried"] = ",".join(str(part.index) for part in carried_parts(raw))
    elif mode == "transfert-pj":
        fields = {
            "subject": forward_fields(original)["subject"],
            "body": "",
            "forward": f"{mailbox.id}:{uid}:{folder}",
        }
    else:
        own = {m.address for m in senders} | {request.user.email.lower()}
        fields = reply_fields(original, own_addresses=own, reply_all=mode == "tous")
        fields["sender"] = senders.filter(id=mailbox.id).first() or senders.first()
        # Answering for a shared mailbox: its own signature, not the person's.
        shared_signature = mailbox_signature_for(request.user, fields["sender"])
        if shared_signature is not None:
            signature = shared_signature
            initial["signature"] = shared_signature.key
    fields["body"] = _signed(fields["body"], signature)
    return {**initial, **fields}


def _forwarded(request, reference: str) -> Upload:
    """The original message, whole, for «transférer en pièce jointe» (checked again here)."""
    mailbox_id, uid, folder = reference.split(":", 2)
    _, raw = fetch_raw_or_404(request, int(mailbox_id), folder, int(uid), mark_seen=False)
    subject = read_message(raw).subject or "message"
    return Upload(filename=f"{subject[:80]}.eml", content_type="message/rfc822", data=raw)


def _carried_source(request, reference: str) -> bytes:
    """The stored message whose attachments the new one carries, checked again here."""
    kind, _, rest = reference.partition(":")
    if kind == "envoi":
        outgoing = get_object_or_404(
            OutgoingMessage, id=int(rest), user=request.user, kind=OutgoingMessage.Kind.MESSAGE
        )
        return bytes(outgoing.raw)
    mailbox_id, uid, folder = rest.split(":", 2)
    return fetch_raw_or_404(request, int(mailbox_id), folder, int(uid), mark_seen=False)[1]


def _carried_choices(request, form) -> list[dict]:
    reference = form.data.get("carried_from") if form.is_bound else form.initial.get("carried_from")
    if not reference or not ComposeForm.base_fields["carried_from"].regex.match(reference):
        return []
    try:
        raw = _carried_source(request, reference)
    except Http404:  # the original was deleted meanwhile: nothing left to offer
        return []
    kept = form.kept_parts()
    return [{"part": part, "kept": part.index in kept} for part in carried_parts(raw)]


@login_required
@require_http_methods(["GET", "POST"])
def compose(request):
    senders = sender_mailboxes(request.user)
    if not senders.exists():
        return render(request, "mail/no_mailbox.html")
    if request.method == "GET":
        key = request.GET.get("brouillon", "")
        if key and drafts.queued_with_key(request.user, key) is not None:
            messages.info(request, _("This message is waiting in «To be sent»: change it there."))
            return redirect("mail:outbox")
        form = ComposeForm(initial=_initial(request, senders), senders=senders)
    else:
        form = ComposeForm(request.POST, request.FILES, senders=senders)
        if form.is_valid():
            mailbox = form.cleaned_data["sender"]
            composition = form.composition(sender_name=request.user.get_full_name())
            if form.cleaned_data["forward"]:
                composition.attachments.append(_forwarded(request, form.cleaned_data["forward"]))
            if form.cleaned_data["carried_from"]:
                source = _carried_source(request, form.cleaned_data["carried_from"])
                composition.attachments += carried_uploads(source, form.kept_parts())
            try:
                outgoing = check_send_message(
                    user=request.user,
                    mailbox=mailbox,
                    composition=composition,
                    draft=form.draft_fields(),
                    delay_seconds=request.preferences.undo_send_seconds,
                    send_at=form.cleaned_data["send_at"],
                    respect_working_hours=not form.cleaned_data["send_now"],
                )
            except SenderNotAllowed:
                form.add_error("sender", _("You may not send from this address."))
            else:
                return redirect(reverse("mail:outbox") + f"?envoye={outgoing.id}")
        # Keep what was typed, server side too, whatever went wrong.
        drafts.save_backup(request.user, form.draft_fields(), senders)
    signatures = Signature.objects.filter(user=request.user)
    shared_signatures = signatures_of_senders(request.user, senders)
    templates = MessageTemplate.objects.filter(user=request.user)
    return render(
        request,
        "mail/compose.html",
        {
            "form": form,
            "carried": _carried_choices(request, form),
            "limit": attachment_limit(),
            "large": settings.LARGE_ATTACHMENT_BYTES,
            "max_file": settings.SHARED_FILE_MAX_BYTES,
            "days": settings.SHARED_FILE_DAYS,
            "mailbox": senders.first(),
            "signatures": signatures,
            "signature_texts": {
                **{s.id: s.full_text for s in signatures},
                **{s.key: s.full_text for s in shared_signatures},
            },
            "mailbox_signatures": shared_signatures,
            "templates": templates,
            "template_texts": {t.id: {"subject": t.subject, "body": t.body} for t in templates},
            "editor_labels": EDITOR_LABELS,
            "disconnect_until": None if is_working_time(now()) else next_working_start(now()),
        },
    )


@login_required
@require_POST
def autosave(request):
    """Called every few seconds while writing: the database first, then the Drafts folder."""
    senders = sender_mailboxes(request.user)
    fields = {key: request.POST.get(key, "")[:200_000] for key in drafts.FIELDS}
    backup = drafts.save_backup(request.user, fields, senders)
    if backup is None:
        return JsonResponse({"saved": False}, status=400)
    in_drafts_folder = drafts.save_to_drafts_folder(backup, request.user)
    return JsonResponse({"saved": True, "key": str(backup.key), "imap": in_drafts_folder})


@login_required
@require_GET
def outbox(request):
    waiting = (
        OutgoingMessage.objects.filter(user=request.user, kind=OutgoingMessage.Kind.MESSAGE)
        .exclude(status__in=[OutgoingMessage.Status.SENT, OutgoingMessage.Status.CANCELLED])
        .order_by("send_after")
    )
    just_sent = waiting.filter(id=request.GET.get("envoye") or 0).first()
    return render(
        request,
        "mail/outbox.html",
        {
            "waiting": waiting,
            "just_sent": just_sent,
            "now": now(),
            "mailbox": sender_mailboxes(request.user).first(),
        },
    )


@login_required
@require_POST
def cancel(request, outgoing_id: int):
    outgoing = get_object_or_404(
        OutgoingMessage, id=outgoing_id, user=request.user, kind=OutgoingMessage.Kind.MESSAGE
    )
    if not cancel_send(outgoing):
        messages.error(request, _("Too late: this message has already left."))
        return redirect("mail:outbox")
    backup = drafts.restore_from(outgoing)
    if request.POST.get("ensuite") == "garder":
        drafts.save_to_drafts_folder(backup, request.user)
        messages.info(request, _("Sending cancelled. The message is kept in your drafts."))
        return redirect("mail:outbox")
    messages.info(request, _("Sending cancelled. Your message is back, as you left it."))
    return redirect(reverse("mail:compose") + f"?brouillon={backup.key}")


@login_required
@require_POST
def release(request, outgoing_id: int):
    """«Envoyer maintenant» for a scheduled message, or one held outside working hours."""
    outgoing = get_object_or_404(
        OutgoingMessage, id=outgoing_id, user=request.user, kind=OutgoingMessage.Kind.MESSAGE
    )
    if send_now(outgoing):
        messages.success(request, _("The message is leaving now."))
    else:
        messages.error(request, _("Too late: this message has already left."))
    return redirect("mail:outbox")


@login_required
@require_GET
def addresses(request):
    """Suggestions while typing a recipient, from the directory (directory.suggestions)."""
    found = suggest(request.user, request.GET.get("q", "")[:200])
    return JsonResponse({"results": [suggestion.as_json() for suggestion in found]})
