"""The spool's messages and the files sent as links move from node-local folders into the
database (mail/models/stored.py), so that any gateway, worker or web node reads them.

The data step copies what the folders still hold: the bytes of every message not yet
delivered, captured or dead (SPOOL_DIR, var/spool by default) and of every link that still
works (SHARED_FILES_DIR, var/shared). It leaves the folders as they are; once it has run they
can be removed. A row whose file is already gone stays without bytes, as it was."""

from pathlib import Path

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

CHUNK_BYTES = 1024 * 1024  # as mail.models.stored (a migration keeps its own copy)
KEPT = ("pending", "captured", "dead")


def _folder(setting: str, default: str) -> Path:
    # The settings may go once every installation has run this migration.
    return Path(getattr(settings, setting, None) or Path(settings.VAR_DIR) / default)


def _copy(path: Path, make_chunk) -> None:
    """The file in chunks, at least one (an empty file is one empty chunk)."""
    if not path.is_file():
        return
    with path.open("rb") as handle:
        seq, data = 0, handle.read(CHUNK_BYTES)
        while True:
            make_chunk(seq, data)
            data = handle.read(CHUNK_BYTES)
            if not data:
                return
            seq += 1


def files_into_the_database(apps, schema_editor):
    spooled = apps.get_model("mail", "SpooledMessage")
    spool_chunk = apps.get_model("mail", "SpoolChunk")
    spool_dir = _folder("SPOOL_DIR", "spool")
    for message in spooled.objects.filter(status__in=KEPT).only("id"):
        _copy(spool_dir / f"{message.id}.eml",
              lambda seq, data, m=message: spool_chunk.objects.create(message=m, seq=seq,
                                                                       data=data))  # fmt: skip
    shared_file = apps.get_model("mail", "SharedFile")
    shared_chunk = apps.get_model("mail", "SharedFileChunk")
    shared_dir = _folder("SHARED_FILES_DIR", "shared")
    for shared in shared_file.objects.filter(revoked_at__isnull=True).only("id", "token"):
        _copy(shared_dir / shared.token,
              lambda seq, data, s=shared: shared_chunk.objects.create(shared=s, seq=seq,
                                                                      data=data))  # fmt: skip


class Migration(migrations.Migration):

    dependencies = [
        ('mail', '0010_vacation_school_holidays'),
    ]

    operations = [
        migrations.CreateModel(
            name='SharedFileChunk',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('seq', models.PositiveIntegerField()),
                ('data', models.BinaryField()),
                ('shared', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='chunks', to='mail.sharedfile')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('shared', 'seq'), name='unique_shared_file_chunk')],
            },
        ),
        migrations.CreateModel(
            name='SpoolChunk',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('seq', models.PositiveIntegerField()),
                ('data', models.BinaryField()),
                ('message', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='chunks', to='mail.spooledmessage')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('message', 'seq'), name='unique_spool_chunk')],
            },
        ),
        migrations.RunPython(files_into_the_database, migrations.RunPython.noop),
    ]
