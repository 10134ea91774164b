"""Large attachments leave as links to the académie's storage: expiring, revocable."""

import dataclasses
from collections.abc import Iterator
from datetime import timedelta
from html import escape

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from mail.models import SharedFile, stored
from mail.outgoing.compose import Composition, Upload


def share_upload(user, upload: Upload) -> SharedFile:
    shared = SharedFile(
        user=user,
        filename=upload.filename or "fichier",
        content_type=upload.content_type,
        size=upload.size,
        expires_at=timezone.now() + timedelta(days=settings.SHARED_FILE_DAYS),
    )
    # In the database, where any web node serves it; a large file (up to SHARED_FILE_MAX_BYTES,
    # 200 MB) is read from where Django streamed it, one chunk at a time.
    content = upload.data if upload.file is None else upload.file
    if upload.file is not None:
        upload.file.seek(0)
    with transaction.atomic():
        shared.save()
        stored.store(shared.chunks, content)
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


def content(shared: SharedFile) -> Iterator[bytes] | None:
    """The file, a chunk at a time, while its link works; None once expired, revoked or purged."""
    if not shared.available:
        return None
    try:
        return stored.stream(shared.chunks)
    except stored.ContentMissing:
        return None


def revoke(shared: SharedFile) -> None:
    """The link stops working and the file's storage is freed (the row stays as a trace)."""
    with transaction.atomic():
        if SharedFile.objects.filter(id=shared.id, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        ):
            stored.discard(shared.chunks)


def purge_expired() -> int:
    """Expired or revoked links free their storage; the row stays as a trace."""
    gone = SharedFile.objects.filter(
        Q(expires_at__lt=timezone.now()) | Q(revoked_at__isnull=False), chunks__isnull=False
    ).distinct()
    count = 0
    for shared in gone:
        stored.discard(shared.chunks)
        count += 1
    return count
