"""New-mail notices for open webmail pages, and the notification preferences."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from mail.access import access_mailbox, readable_mailboxes
from mail.imap import MailStoreUnavailable, imap_session
from mail.imap.folders import label_for
from notifications.forms import NotificationSettingsForm
from notifications.models import NotificationSettings
from notifications.quiet import may_notify


@login_required
@require_GET
def new_mail(request):
    """Polled by the page: unread messages that arrived in the INBOX after ``apres`` (a UID);
    without it, only the highest UID to start from. Quiet hours are applied here."""
    boite = request.GET.get("boite", "")
    mailbox = access_mailbox(request.user, int(boite) if boite.isdigit() else 0)
    after = request.GET.get("apres", "")
    preferences = NotificationSettings.of(request.user)
    with imap_session(mailbox.imap_user) as box:
        highest, arrived = box.arrivals("INBOX", after_uid=int(after) if after.isdigit() else -1)
    now = timezone.now()
    notices = [
        {
            "sender": envelope.sender_name or envelope.sender_address,
            "subject": envelope.subject or _("(no subject)"),
            "url": reverse("mail:message", args=[mailbox.id, "INBOX", envelope.uid]),
        }
        for envelope in arrived
        if may_notify(preferences, envelope.sender_address, now)
    ]
    return JsonResponse(
        {
            "last": highest,
            "notices": notices,
            "browser": preferences.browser,
            "next": settings.NOTICE_POLL_SECONDS,
        }
    )


def _folder_choices(user) -> list[tuple[str, str]]:
    mailbox = readable_mailboxes(user).filter(owner=user).first()
    if mailbox is None:
        return [("INBOX", _("Inbox"))]
    try:
        with imap_session(mailbox.imap_user) as box:
            folders = box.folders()
    except MailStoreUnavailable:  # the stored choice is kept; the inbox can still be chosen
        return [("INBOX", _("Inbox"))]
    return [(f.name, label_for(f)) for f in folders if f.selectable]


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    instance = NotificationSettings.of(request.user)
    form = NotificationSettingsForm(
        request.POST or None, instance=instance, folders=_folder_choices(request.user)
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})
