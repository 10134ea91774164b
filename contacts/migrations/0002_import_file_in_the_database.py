"""A contacts import's file moves from var/contacts-imports/ (one node's disk) into the
database (mail.models.stored), so that the preview shows on any web node and any worker runs
the import. The data step copies the files of the imports not done yet; the folder can be
removed once it has run."""

from datetime import timedelta
from pathlib import Path

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

CHUNK_BYTES = 1024 * 1024  # as mail.models.stored (a migration keeps its own copy)
PREVIEW_SECONDS = 24 * 3600


def files_into_the_database(apps, schema_editor):
    contact_import = apps.get_model("contacts", "ContactImport")
    kept_upload = apps.get_model("mail", "KeptUpload")
    chunk = apps.get_model("mail", "KeptUploadChunk")
    folder = Path(settings.VAR_DIR) / "contacts-imports"
    for imp in contact_import.objects.exclude(status="done").exclude(path=""):
        path = folder / imp.path
        if not path.is_file():
            continue
        running = imp.status == "running"
        expires_at = None if running else timezone.now() + timedelta(seconds=PREVIEW_SECONDS)
        upload = kept_upload.objects.create(owner_id=imp.owner_id, name=imp.file_name,
                                            expires_at=expires_at)  # fmt: skip
        with path.open("rb") as handle:
            seq, data = 0, handle.read(CHUNK_BYTES)
            while True:
                chunk.objects.create(upload=upload, seq=seq, data=data)
                data = handle.read(CHUNK_BYTES)
                if not data:
                    break
                seq += 1
        imp.upload = upload
        imp.save(update_fields=["upload"])


class Migration(migrations.Migration):

    dependencies = [
        ('contacts', '0001_initial'),
        ('mail', '0012_kept_uploads'),
    ]

    operations = [
        migrations.AddField(
            model_name='contactimport',
            name='upload',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='mail.keptupload'),
        ),
        migrations.RunPython(files_into_the_database, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name='contactimport',
            name='path',
        ),
    ]
