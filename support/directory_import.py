"""The IT-support console's page for the directory's HR import: check a file (the dry-run
report), then apply it. Between the two, the file waits under var/imports/ (0600) and is
deleted once used."""

import os
import re
import secrets
import time

from django import forms
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from directory import hr_files, hr_import
from support.views import support_only

SHOWN = 200  # rows of each part of the report on the page
KEEP_SECONDS = 24 * 3600
_TOKEN = re.compile(r"^[0-9a-f]{32}$")


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("HR export"),
        help_text=gettext_lazy("CSV (separated by «;», UTF-8 or Windows-1252) or LDIF."),
    )


def _folder():
    folder = settings.VAR_DIR / "imports"
    folder.mkdir(mode=0o700, exist_ok=True)
    for old in folder.iterdir():  # a check never applied does not keep HR data for long
        if old.stat().st_mtime < time.time() - KEEP_SECONDS:
            old.unlink(missing_ok=True)
    return folder


def _keep(data: bytes, name: str) -> str:
    token = secrets.token_hex(16)
    path = _folder() / token
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as file:
        file.write(data)
    (_folder() / f"{token}.name").write_text(name[:200])
    return token


def _kept(token: str) -> tuple[bytes, str] | None:
    path = _folder() / token
    if not _TOKEN.match(token) or not path.exists():
        return None
    return path.read_bytes(), (_folder() / f"{token}.name").read_text()


def _forget(token: str) -> None:
    for suffix in ("", ".name"):
        (_folder() / f"{token}{suffix}").unlink(missing_ok=True)


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
                context["token"] = _keep(data, upload.name)
    context["form"] = form
    return render(request, "directory/support_import.html", context)


def _apply(request, token: str):
    kept = _kept(token)
    if kept is None:
        messages.error(request, _("This check is too old or was already applied: check the "
                                  "file again."))
        return redirect("support:directory_import")
    data, name = kept
    report = hr_import.plan(hr_files.read(data, name))  # the directory may have moved since
    if report.can_apply:
        hr_import.apply(report)
        messages.success(request, hr_import.applied(report))
    else:
        messages.error(request, hr_import.refusal(report))
    _forget(token)
    return redirect("support:directory_import")
