"""Large files sent as links: the public download, and their owner's list with «révoquer»."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from mail.message.attachments import safe_filename
from mail.models import SharedFile
from mail.outgoing import shared_files


@require_GET
def download(request, token: str):
    """Public: recipients outside the académie have no account. The token is the key."""
    shared = SharedFile.objects.filter(token=token).first()
    content = shared_files.content(shared) if shared is not None else None
    if content is None:
        return render(request, "mail/shared_gone.html", status=410)
    SharedFile.objects.filter(id=shared.id).update(downloads=F("downloads") + 1)
    response = StreamingHttpResponse(content, content_type="application/octet-stream")
    response["Content-Length"] = str(shared.size)
    response["Content-Disposition"] = content_disposition_header(
        True, safe_filename(shared.filename, shared.content_type)
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
    shared_files.revoke(get_object_or_404(SharedFile, id=shared_id, user=request.user))
    messages.success(request, _("The link no longer works."))
    return redirect("mail:shared_files")
