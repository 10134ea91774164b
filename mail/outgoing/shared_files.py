"""Large attachments leave as links to the académie's storage: expiring, revocable."""

import dataclasses
import os
from datetime import timedelta
from html import escape

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from mail.models import SharedFile
from mail.outgoing.compose import Composition, Upload


def share_upload(user, upload: Upload) -> SharedFile:
    shared = SharedFile(
        user=user,
        filename=upload.filename or "fichier",
        content_type=upload.content_type,
        size=upload.size,
        expires_at=timezone.now() + timedelta(days=settings.SHARED_FILE_DAYS),
    )
    settings.SHARED_FILES_DIR.mkdir(parents=True, exist_ok=True)
    fd = os.open(shared.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        if upload.file is None:
            handle.write(upload.data)
        else:  # up to SHARED_FILE_MAX_BYTES (200 MB): copied chunk by chunk
            for chunk in upload.file.chunks():
                handle.write(chunk)
    shared.save()
    return shared


def public_url(shared: SharedFile) -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/") + reverse("shared_file", args=[shared.token])


def _line(shared: SharedFile) -> str:
    until = formats.date_format(timezone.localtime(shared.expires_at), "DATE_FORMAT")
    return _("%(name)s (%(size)s), to download until %(date)s: %(url)s") % {
        "name": shared.filename,
        "size": filesizeformat(shared.size),
        "date": until,
        "url": public_url(shared),
    }


def with_large_files_as_links(user, composition: Composition) -> Composition:
    """Attachments over LARGE_ATTACHMENT_BYTES are stored and replaced by links in the text."""
    large = [a for a in composition.attachments if a.size >= settings.LARGE_ATTACHMENT_BYTES]
    if not large:
        return composition
    shared = [share_upload(user, upload) for upload in large]
    title = _("Large files, sent as links:")
    lines = [_line(s) for s in shared]
    body = f"{composition.body.rstrip()}\n\n{title}\n" + "\n".join(f"- {line}" for line in lines)
    html = composition.html
    if html:
        items = "".join(
            f"<li>{escape(s.filename)} ({escape(filesizeformat(s.size))}) : "
            f'<a href="{escape(public_url(s))}">{escape(public_url(s))}</a></li>'
            for s in shared
        )
        html = f"{html}<p>{escape(title)}</p><ul>{items}</ul>"
    small = [a for a in composition.attachments if a not in large]
    return dataclasses.replace(composition, body=body, html=html, attachments=small)


def purge_expired() -> int:
    """Expired or revoked links free their storage; the row stays as a trace."""
    gone = SharedFile.objects.filter(expires_at__lt=timezone.now()) | SharedFile.objects.filter(
        revoked_at__isnull=False
    )
    count = 0
    for shared in gone:
        if shared.path.exists():
            shared.path.unlink()
            count += 1
    return count
