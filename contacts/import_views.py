"""Import and export pages of the address book (thin: contacts.importing and exporting)."""

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from contacts import exporting, import_files, importing
from contacts.models import ContactImport
from contacts.views import store_required


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File (vCard .vcf or CSV)"), allow_empty_file=True)


@store_required
def upload(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            imp = importing.start(request.user, form.cleaned_data["file"])
        except import_files.UnreadableFile:
            form.add_error("file", _(
                "This file is neither vCards nor a CSV of contacts with a heading row (or it "
                "is over 20 MB or 100,000 rows). Nothing was imported."))
        else:
            return redirect("contacts:import_preview", imp.pk)
    return render(request, "contacts/import.html", {"form": form})


def _mine(request, pk: int) -> ContactImport:
    return get_object_or_404(ContactImport, pk=pk, owner=request.user)


@store_required
def preview(request, pk: int):
    imp = _mine(request, pk)
    if imp.status != ContactImport.Status.PREVIEW:
        return redirect("contacts:import_status", imp.pk)
    if not importing.is_kept(imp):
        messages.error(request, _("This import has expired: choose the file again."))
        return redirect("contacts:import")
    context = {"imp": imp, "fields": import_files.FIELDS, **importing.preview(imp)}
    if request.method == "POST":
        mapping = None
        if imp.kind == "csv":
            valid = {name for name, _label in import_files.FIELDS}
            mapping = [request.POST.get(f"column-{i}", "") for i in range(len(imp.mapping))]
            mapping = [m if m in valid else "" for m in mapping]
            if not any(mapping):
                messages.error(request, _("Choose what at least one column holds."))
                return render(request, "contacts/import_preview.html", context)
        if not importing.confirm(imp, mapping):
            messages.error(request, _("This import has expired: choose the file again."))
            return redirect("contacts:import")
        return redirect("contacts:import_status", imp.pk)
    if imp.kind == "csv":
        context["columns"] = [
            (i, heading, imp.mapping[i], [row[i] if i < len(row) else "" for row in
                                          context["samples"]])
            for i, heading in enumerate(context["headings"])
        ]  # fmt: skip
    return render(request, "contacts/import_preview.html", context)


@store_required
def status(request, pk: int):
    return render(request, "contacts/import_status.html", {"imp": _mine(request, pk)})


@require_GET
@store_required
def export(request, kind: str):
    if kind == "vcf":
        response = HttpResponse(exporting.as_vcard(request.user),
                                content_type="text/vcard; charset=utf-8")  # fmt: skip
    else:
        response = HttpResponse(exporting.as_csv(request.user),
                                content_type="text/csv; charset=utf-8")  # fmt: skip
    response["Content-Disposition"] = f'attachment; filename="contacts.{kind}"'
    return response
