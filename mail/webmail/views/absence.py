"""«Message d'absence» and «Transfert» of a mailbox."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from mail.access import access_mailbox
from mail.imap import imap_session
from mail.models import Forwarding, Vacation
from mail.pipeline import forwarding, vacation
from mail.pipeline.rules import InvalidRule
from mail.webmail.rule_forms import ForwardingForm, VacationForm
from mail.webmail.views.common import sidebar_context


def _sidebar(request, mailbox) -> dict:
    with imap_session(mailbox.imap_user) as box:
        return sidebar_context(request, mailbox, box)


@login_required
@require_http_methods(["GET", "POST"])
def absence(request, mailbox_id: int):
    mailbox = access_mailbox(request.user, mailbox_id, manage=True)
    current = Vacation.objects.filter(mailbox=mailbox).first()
    initial = {
        "subject": _("Absent"),
        "body": _(
            "Hello,\n\nI am away and will read your message when I am back.\n\nBest regards,\n"
        ),
    }
    form = VacationForm(request.POST or None, instance=current, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        vacation.set_vacation(mailbox, by=request.user, **data)
        if data["enabled"]:
            messages.success(request, _("Your absence message is on."))
        else:
            messages.success(request, _("Your absence message is off."))
        return redirect("mail:absence", mailbox_id=mailbox.id)
    return render(
        request,
        "mail/rules/absence.html",
        {
            **_sidebar(request, mailbox),
            "form": form,
            "section": "absence",
            "in_force": vacation.in_force(current),
            "school_zone": vacation.zone_of_mailbox(mailbox),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def forwardings(request, mailbox_id: int):
    mailbox = access_mailbox(request.user, mailbox_id, manage=True)
    form = ForwardingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            forwarding.set_forwarding(mailbox, by=request.user, **form.cleaned_data)
        except InvalidRule as exc:
            form.add_error("address", str(exc))
        else:
            messages.success(
                request,
                _("Your mail is now forwarded to %(address)s.")
                % {"address": form.cleaned_data["address"]},
            )
            return redirect("mail:forwarding", mailbox_id=mailbox.id)
    return render(
        request,
        "mail/rules/forwarding.html",
        {
            **_sidebar(request, mailbox),
            "form": form,
            "forwardings": mailbox.forwardings.all(),
            "section": "forwarding",
        },
    )


@login_required
@require_POST
def stop_forwarding(request, mailbox_id: int, forwarding_id: int):
    mailbox = access_mailbox(request.user, mailbox_id, manage=True)
    forwarding.remove_forwarding(get_object_or_404(Forwarding, id=forwarding_id, mailbox=mailbox))
    messages.success(request, _("This forwarding is stopped."))
    return redirect("mail:forwarding", mailbox_id=mailbox.id)
