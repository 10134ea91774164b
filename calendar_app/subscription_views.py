"""/agenda/abonnements/: subscribe to a public .ics address, see when each was refreshed,
refresh one now. Renaming, colour, hiding and unsubscribing are the calendar's own page."""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from calendar_app import services, subscriptions
from calendar_app.models import Subscription
from calendar_app.views import store_required


class SubscriptionForm(forms.Form):
    url = forms.CharField(label=gettext_lazy("Address of the agenda (.ics or webcal://)"),
                          max_length=2000)  # fmt: skip
    display_name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    color = forms.RegexField(label=gettext_lazy("Colour"), regex=r"^#[0-9a-fA-F]{6}$",
                             initial="#18753c", widget=forms.TextInput(attrs={"type": "color"}),
                             error_messages={"invalid": gettext_lazy("Choose a colour.")})

    def clean_url(self):
        url = subscriptions.normalized_url(self.cleaned_data["url"])
        if not url.lower().startswith(("https://", "http://")):
            raise forms.ValidationError(_("Give a web address starting with https://, "
                                          "http:// or webcal://."))  # fmt: skip
        return url


@store_required
def subscriptions_page(request):
    form = SubscriptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            subscriptions.subscribe(request.user, **form.cleaned_data)
        except subscriptions.SubscriptionError as exc:
            form.add_error("url", str(exc))
        else:
            messages.success(request, _("Subscribed: the calendar is in your agenda."))
            return redirect("calendar_app:subscriptions")
    names = {c.name: c for c in services.calendars_of(request.user)}
    rows = [(s, names[s.collection]) for s in Subscription.objects.filter(owner=request.user)
            .order_by("collection") if s.collection in names]  # fmt: skip
    return render(request, "calendar_app/subscriptions.html",
                  {"form": form, "rows": rows, "calendars": list(names.values())})


@require_POST
@store_required
def refresh(request, name: str):
    subscription = Subscription.objects.filter(owner=request.user, collection=name).first()
    if subscription is None:
        raise Http404
    if not subscriptions.recently_refreshed(subscription):  # a click again fetches nothing
        subscriptions.refresh(subscription)
    if subscription.last_error:
        messages.error(request, subscription.last_error)
    else:
        messages.success(request, _("Calendar refreshed."))
    return redirect("calendar_app:subscriptions")
