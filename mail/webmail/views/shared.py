"""Large files sent as links: the public download, and their owner's list with «révoquer»."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from mail.message.attachments import safe_filename
from mail.models import SharedFile


@require_GET
def download(request, token: str):
    """Public: recipients outside the académie have no account. The token is the key."""
    shared = SharedFile.objects.filter(token=token).first()
    if shared is None or not shared.available or not shared.path.exists():
        return render(request, "mail/shared_gone.html", status=410)
    SharedFile.objects.filter(id=shared.id).update(downloads=F("downloads") + 1)
    response = FileResponse(
        shared.path.open("rb"),
        as_attachment=True,
        filename=safe_filename(shared.filename, shared.content_type),
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@require_GET
def mine(request):
    files = SharedFile.objects.filter(user=request.user)
    return render(request, "mail/shared_files.html", {"files": files})


@login_required
@require_POST
def revoke(request, shared_id: int):
    shared = get_object_or_404(SharedFile, id=shared_id, user=request.user)
    if shared.revoked_at is None:
        shared.revoked_at = timezone.now()
        shared.save(update_fields=["revoked_at"])
        if shared.path.exists():
            shared.path.unlink()
    messages.success(request, _("The link no longer works."))
    return redirect("mail:shared_files")
