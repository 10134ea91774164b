"""Signatures and templates («modèles»): each person's own, managed on one page each."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from mail.models import MessageTemplate, Signature
from mail.webmail.compose_forms import SignatureForm, TemplateForm

_KINDS = {
    "signatures": (Signature, SignatureForm, gettext_lazy("Signatures")),
    "modeles": (MessageTemplate, TemplateForm, gettext_lazy("Templates")),
}


@login_required
@require_http_methods(["GET", "POST"])
def manage(request, kind: str, item_id: int | None = None):
    """The list, and the form that creates one (or edits the one in the URL)."""
    model, form_class, title = _KINDS[kind]
    instance = get_object_or_404(model, id=item_id, user=request.user) if item_id else None
    form = form_class(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            item = form.save(commit=False)
            item.user = request.user
            item.save()
            if isinstance(item, Signature) and item.is_default:
                Signature.objects.filter(user=request.user).exclude(id=item.id).update(
                    is_default=False
                )
        messages.success(request, _("Saved."))
        return redirect("mail:writing_tools", kind=kind)
    return render(
        request,
        "mail/writing_tools.html",
        {
            "kind": kind,
            "title": title,
            "form": form,
            "editing": instance,
            "items": model.objects.filter(user=request.user),
        },
    )


@login_required
@require_POST
def delete(request, kind: str, item_id: int):
    model, _form, _title = _KINDS[kind]
    get_object_or_404(model, id=item_id, user=request.user).delete()
    messages.success(request, _("Deleted."))
    return redirect("mail:writing_tools", kind=kind)
