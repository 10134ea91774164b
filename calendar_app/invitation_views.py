"""Answering an invitation from the message page (the card of calendar_app.card)."""

from datetime import datetime, timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from calendar_app import answers, from_mail, ical, inbox
from calendar_app.views import store_required
from dav.client import DavConflict


class AnswerForm(forms.Form):
    reponse = forms.ChoiceField(choices=[(a, a) for a in ("ACCEPTED", "TENTATIVE", "DECLINED")])
    commentaire = forms.CharField(required=False, max_length=1000)
    date = forms.DateField(required=False)
    debut = forms.TimeField(required=False)
    fin = forms.TimeField(required=False)

    def proposed(self):
        data = self.cleaned_data
        if not (data.get("date") and data.get("debut") and data.get("fin")):
            return None
        start = datetime.combine(data["date"], data["debut"], ical.local_zone())
        end = datetime.combine(data["date"], data["fin"], ical.local_zone())
        return (start, end if end > start else start + timedelta(hours=1))


SENT = {
    "ACCEPTED": gettext_lazy("You accepted: the event is in your agenda and %(who)s is told."),
    "TENTATIVE": gettext_lazy(
        "You answered «maybe»: the event is in your agenda and %(who)s is told."
    ),
    "DECLINED": gettext_lazy("You declined: %(who)s is told."),
}


@require_POST
@login_required
@store_required
def answer(request):
    try:
        mailbox_id, uid = int(request.POST.get("boite", "")), int(request.POST.get("uid", ""))
    except ValueError:
        raise Http404 from None
    folder = request.POST.get("dossier", "INBOX")
    back = reverse("mail:message", args=[mailbox_id, folder, uid])
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an answer; a proposed time needs a date, a start and "
                                  "an end."))  # fmt: skip
        return redirect(back)
    raw = from_mail.raw_message(request.user, mailbox_id, folder, uid)
    data = inbox.calendar_part(from_mail.parsed(raw))
    try:
        received = answers.answer(request.user, data or b"", form.cleaned_data["reponse"],
                                  comment=form.cleaned_data["commentaire"],
                                  proposed=form.proposed())  # fmt: skip
    except (ical.BadCalendarData, answers.NotInvited):
        messages.error(request, _("This invitation cannot be answered from here."))
        return redirect(back)
    except DavConflict:  # a new version arrived meanwhile: the answer was about the old one
        messages.error(request, _("This event was changed elsewhere; nothing was sent."))
        return redirect(back)
    messages.success(request, SENT[form.cleaned_data["reponse"]] % {"who": received.organizer})
    return redirect(back)
