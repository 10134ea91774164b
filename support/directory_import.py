"""The IT-support console's page for the directory's HR import: check a file (the dry-run
report), then apply it. Between the two, the file waits in the database (mail.models.stored:
the «Appliquer» may reach another web node), a day at most, and is deleted once used."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from directory import hr_files, hr_import
from mail.models import stored
from support.views import support_only

SHOWN = 200  # rows of each part of the report on the page
KEEP_SECONDS = 24 * 3600


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("HR export"),
        help_text=gettext_lazy("CSV (separated by «;», UTF-8 or Windows-1252) or LDIF."),
    )


@require_http_methods(["GET", "POST"])
@support_only
def import_page(request):
    context = {"support_section": "directory_import", "shown": SHOWN}
    if request.method == "POST" and request.POST.get("token"):
        return _apply(request, request.POST["token"])
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        try:
            report = hr_import.plan(hr_files.read(data, upload.name))
        except hr_files.UnreadableFile as exc:
            form.add_error("file", str(exc))
        else:
            context.update(report=report, counts=hr_import.counts(report), name=upload.name)
            if report.can_apply:
                context["token"] = stored.keep(request.user, upload.name, data,
                                               seconds=KEEP_SECONDS).token
    context["form"] = form
    return render(request, "directory/support_import.html", context)


def _apply(request, token: str):
    kept = stored.kept(request.user, token)
    if kept is None:
        messages.error(request, _("This check is too old or was already applied: check the "
                                  "file again."))
        return redirect("support:directory_import")
    # Planned again: the directory may have moved since the check.
    report = hr_import.plan(hr_files.read(stored.read(kept.chunks), kept.name))
    if report.can_apply:
        hr_import.apply(report)
        messages.success(request, hr_import.applied(report))
    else:
        messages.error(request, hr_import.refusal(report))
    stored.forget(kept)
    return redirect("support:directory_import")
