"""Reading one message: the page, its sandboxed body, parts, source, headers, print view."""

import secrets
from io import BytesIO
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.cache import cache
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from calendar_app.card import card_for
from mail.access import access_mailbox
from mail.imap import InvalidRequest, imap_session
from mail.imap.folders import find, label_for
from mail.message.attachments import attachment_response
from mail.message.html_safety import sanitize_html
from mail.message.image_proxy import ImageFetchError, fetch_remote_image
from mail.message.parse import message_part, read_message
from mail.models import TrustedSender
from mail.outgoing import receipts
from mail.webmail.views.common import safe_next, sidebar_context
from shared_mailboxes.webmail import journal_reads, message_extras

# The message body lives in a frame with its own, stricter policy: no script at all, images
# only from the app (inline parts and the proxy), the mail's own inline styles allowed.
BODY_CSP = {
    "default-src": ["'none'"],
    "img-src": ["'self'", "data:"],
    "style-src": ["'unsafe-inline'"],
    "base-uri": ["'none'"],
    "form-action": ["'none'"],
    "frame-ancestors": ["'self'"],
    "sandbox": ["allow-popups", "allow-popups-to-escape-sandbox"],
}
TOKEN_MAX_AGE = 3600
# The message page hands its frame what it has just read (the frame's request follows within
# a second, on any web process): the frame then needs no IMAP FETCH and no parsing. Larger
# bodies are read again, as are frames opened later than this.
BODY_HANDOVER_SECONDS = 300
BODY_HANDOVER_MAX_CHARS = 512 * 1024


def fetch_raw_or_404(request, mailbox_id: int, folder: str, uid: int, *, mark_seen: bool):
    """(mailbox, raw bytes) of a message the user may read; 404 for anything else."""
    mailbox = access_mailbox(request.user, mailbox_id)
    try:
        with imap_session(mailbox.imap_user) as box:
            raw = box.fetch_raw(folder, uid, mark_seen=mark_seen)
    except InvalidRequest:
        raise Http404 from None
    if raw is None:
        raise Http404
    return mailbox, raw


def _is_external(address: str) -> bool:
    return address.rpartition("@")[2].lower() not in settings.MAIL_DOMAINS


def _trusted(request, message) -> bool:
    return TrustedSender.objects.filter(user=request.user, address=message.sender_address).exists()


def _images_allowed(request, message, trusted: bool | None = None) -> bool:
    if request.GET.get("images") == "1":
        return True
    return _trusted(request, message) if trusted is None else trusted


def _handover_key(user_id: int, key: str) -> str:
    return f"mail-body:{user_id}:{key}"


def _hand_over_body(request, mailbox, folder: str, uid: int, readable, images: bool) -> str:
    """Keep the HTML just read for the frame's request; the key goes in the frame's URL."""
    if len(readable.html) > BODY_HANDOVER_MAX_CHARS:
        return ""
    key = secrets.token_urlsafe(16)
    cache.set(
        _handover_key(request.user.id, key),
        {"mailbox": mailbox.id, "folder": folder, "uid": uid, "html": readable.html,
         "inline_parts": readable.inline_parts, "images": images},
        BODY_HANDOVER_SECONDS,
    )  # fmt: skip
    return key


def _handed_over(request, mailbox_id: int, folder: str, uid: int) -> dict | None:
    """What the message page kept for this very message and user, if it is still there."""
    key = request.GET.get("v", "")
    if not key or len(key) > 64:
        return None
    kept = cache.get(_handover_key(request.user.id, key))
    if not kept or (kept["mailbox"], kept["folder"], kept["uid"]) != (mailbox_id, folder, uid):
        return None
    return kept


def _token(request, **payload) -> str:
    return signing.dumps({"user": request.user.id, **payload}, salt="mail-body-resource")


def message_links(mailbox_id: int, folder: str, uid: int, newer, older) -> dict[str, str]:
    """The message page's URLs from two reversals: through {% url %} its fifteen links cost
    some 130 Python calls each (tests/test_folder_links.py compares them with reverse())."""
    message = reverse("mail:message", args=[mailbox_id, folder, uid])
    siblings = message[: -len(f"{uid}/")]
    mailbox = reverse("mail:act", args=[mailbox_id])[: -len("actions/")]
    return {
        "message": message,  # + corps/, entetes/, source/, imprimer/, piece/<index>/
        "newer": f"{siblings}{newer}/" if newer else "",
        "older": f"{siblings}{older}/" if older else "",
        "folder": reverse("mail:folder", args=[mailbox_id, folder]),
        "act": f"{mailbox}actions/",
        "phishing": f"{mailbox}hameconnage/",
        "trust": f"{mailbox}expediteurs-surs/",
        # The message, for the writing page and the agenda: ?boite=…&dossier=…&uid=…
        "about": f"boite={mailbox_id}&dossier={quote(folder)}&uid={uid}",
    }


def reading_context(request, mailbox, box, folder: str, uid: int) -> dict:
    """What the message page and the reading pane show of one message; 404 if it is gone."""
    preferences = request.preferences
    raw = box.fetch_raw(folder, uid, mark_seen=preferences.mark_read == 0)
    if raw is None:
        raise Http404
    newer, older = box.neighbours(folder, uid)
    readable = read_message(raw)
    wants_html = request.GET.get("format") != "texte" and (
        preferences.prefer_html or request.GET.get("format") == "html" or not readable.text
    )
    safe = None
    if readable.html is not None:
        safe = sanitize_html(readable.html, cid_url=lambda cid: None, remote_image_url=None)
    trusted = _trusted(request, readable)
    images = _images_allowed(request, readable, trusted)
    show_html = readable.html is not None and wants_html
    team = message_extras(request, mailbox, box, folder, uid, readable)
    return {
        **team,
        "folder": folder,
        "uid": uid,
        "message": readable,
        "safe": safe,
        "show_html": show_html,
        "body_key": _hand_over_body(request, mailbox, folder, uid, readable, images)
        if show_html
        else "",
        "images": images,
        "external": bool(readable.sender_address) and _is_external(readable.sender_address),
        "trusted": trusted,
        "mark_read_after": preferences.mark_read if preferences.mark_read > 0 else None,
        "newer": newer,
        "older": older,
        "message_links": message_links(mailbox.id, folder, uid, newer, older),
        "in_junk": any(f.name == folder and f.special_use == "junk" for f in box.folders()),
        # An invitation, an answer or an .ics: the event card (calendar_app.card).
        "invitation": card_for(request.user, raw, personal=mailbox.owner_id == request.user.id,
                               owner=mailbox.owner if mailbox.owner_id not in (
                                   None, request.user.id) else None,
                               mailbox=mailbox),  # fmt: skip
        **receipts.reading_extras(request.user, mailbox, box, folder, uid, raw, readable),
    }


@login_required
@require_GET
def message(request, mailbox_id: int, folder: str, uid: int):
    mailbox = access_mailbox(request.user, mailbox_id)
    try:
        with imap_session(mailbox.imap_user) as box:
            reading = reading_context(request, mailbox, box, folder, uid)
            # The neighbours have just asked the folders' LIST-STATUS, after the message
            # was marked read: its counts are current.
            context = sidebar_context(request, mailbox, box, refresh=False)
            current = find(box.folders(), folder)
    except InvalidRequest:
        raise Http404 from None
    return render(
        request,
        "mail/message.html",
        {**context, **reading, "folder_label": label_for(current) if current else folder},
    )


@login_required
@require_GET
def conversation(request, mailbox_id: int, folder: str, uid: int):
    """Every message of a conversation, oldest first, read in one go (and marked read)."""
    mailbox = access_mailbox(request.user, mailbox_id)
    try:
        with imap_session(mailbox.imap_user) as box:
            thread = box.conversation_of(folder, uid)
            if thread is None:
                raise Http404
            raw = box.fetch_many_raw(folder, [e.uid for e in thread.envelopes])
            context = sidebar_context(request, mailbox, box)
            current = find(box.folders(), folder)
    except InvalidRequest:
        raise Http404 from None
    messages_ = [(e, read_message(raw[e.uid])) for e in thread.envelopes if e.uid in raw]
    journal_reads(request, mailbox, folder, [(m.message_id, m.subject) for _, m in messages_])
    return render(
        request,
        "mail/conversation.html",
        {
            **context,
            "folder": folder,
            "folder_label": label_for(current) if current else folder,
            "thread": thread,
            "items": messages_,
        },
    )


@login_required
@require_GET
@xframe_options_sameorigin
@csp_override(BODY_CSP)
def body(request, mailbox_id: int, folder: str, uid: int):
    """The sanitised HTML body alone, for the sandboxed frame of the message page."""
    kept = _handed_over(request, mailbox_id, folder, uid)
    if kept is not None:
        mailbox = access_mailbox(request.user, mailbox_id)  # the rights may have changed since
        html, inline_parts = kept["html"], kept["inline_parts"]
        images = kept["images"] or request.GET.get("images") == "1"
    else:
        mailbox, raw = fetch_raw_or_404(request, mailbox_id, folder, uid, mark_seen=False)
        readable = read_message(raw)
        if readable.html is None:
            raise Http404
        html, inline_parts = readable.html, readable.inline_parts
        images = _images_allowed(request, readable)

    def cid_url(content_id: str) -> str | None:
        index = inline_parts.get(content_id)
        if index is None:
            return None
        token = _token(request, mailbox=mailbox.id, folder=folder, uid=uid, part=index)
        return f"{reverse('mail:inline_part')}?t={token}"

    proxy = None
    if images:

        def proxy(url: str) -> str:
            return f"{reverse('mail:image_proxy')}?t={_token(request, url=url)}"

    safe = sanitize_html(html, cid_url=cid_url, remote_image_url=proxy)
    # The body alone: nothing of the request or the account (no context processors).
    response = HttpResponse(render_to_string("mail/body.html", {"html": safe.html}))
    response["Cache-Control"] = "private, no-store"
    return response


def _user_from_token(request):
    try:
        payload = signing.loads(
            request.GET.get("t", ""), salt="mail-body-resource", max_age=TOKEN_MAX_AGE
        )
    except signing.BadSignature:
        raise Http404 from None
    user = User.objects.filter(id=payload.get("user")).first()
    if user is None or not user.can_log_in:
        raise Http404
    return user, payload


@require_GET
@csp_override({"default-src": ["'none'"]})
def inline_part(request):
    """An inline (cid:) image of a message body. The sandboxed frame sends no cookie, so the
    URL carries a signed, expiring capability bound to the user, checked again here."""
    user, payload = _user_from_token(request)
    request.user = user
    _, raw = fetch_raw_or_404(
        request, payload["mailbox"], payload["folder"], payload["uid"], mark_seen=False
    )
    part = message_part(raw, payload["part"])
    if part is None or not part.content_type.startswith("image/"):
        raise Http404
    return attachment_response(part, inline=True)


@require_GET
@csp_override({"default-src": ["'none'"]})
def image_proxy(request):
    """A remote image fetched by the server, so the sender never sees the reader's address."""
    _, payload = _user_from_token(request)
    try:
        image = fetch_remote_image(payload["url"], allow_private=settings.IMAGE_PROXY_ALLOW_PRIVATE)
    except ImageFetchError:
        raise Http404 from None
    response = HttpResponse(image.data, content_type=image.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def attachment(request, mailbox_id: int, folder: str, uid: int, index: int):
    _, raw = fetch_raw_or_404(request, mailbox_id, folder, uid, mark_seen=False)
    part = message_part(raw, index)
    if part is None:
        raise Http404
    return attachment_response(part, inline=request.GET.get("apercu") == "1")


@login_required
@require_GET
def source(request, mailbox_id: int, folder: str, uid: int):
    _, raw = fetch_raw_or_404(request, mailbox_id, folder, uid, mark_seen=False)
    return FileResponse(
        BytesIO(raw),
        as_attachment=True,
        filename=f"message-{uid}.eml",
        content_type="message/rfc822",
    )


@login_required
@require_GET
def headers(request, mailbox_id: int, folder: str, uid: int):
    mailbox, raw = fetch_raw_or_404(request, mailbox_id, folder, uid, mark_seen=False)
    readable = read_message(raw)
    return render(
        request,
        "mail/headers.html",
        {"mailbox": mailbox, "folder": folder, "uid": uid, "message": readable},
    )


@login_required
@require_GET
def print_view(request, mailbox_id: int, folder: str, uid: int):
    mailbox, raw = fetch_raw_or_404(request, mailbox_id, folder, uid, mark_seen=False)
    return render(
        request,
        "mail/print.html",
        {"mailbox": mailbox, "folder": folder, "uid": uid, "message": read_message(raw)},
    )


@login_required
@require_POST
def trust_sender(request, mailbox_id: int):
    access_mailbox(request.user, mailbox_id)
    address = (request.POST.get("address") or "").strip().lower()
    if "@" in address and len(address) <= 254:
        TrustedSender.objects.get_or_create(user=request.user, address=address)
        messages.success(
            request, _("Images from %(address)s will always be shown.") % {"address": address}
        )
    return redirect(safe_next(request, reverse("mail:home")))
