"""The bytes another node must read live in the database, a chunk per row: the spooled
messages (mail/pipeline/spool.py), the files sent as links (mail/outgoing/shared_files.py),
the uploads kept between two requests (the imports' previews), and the migration that brought
them there from the old folders."""

import importlib
import io
import tempfile
import uuid
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from contacts.models import ContactImport
from mail.models import KeptUpload, SharedFile, SpoolChunk, SpooledMessage, stored
from mail.outgoing import shared_files
from mail.outgoing.compose import Upload
from mail.pipeline.spool import discard_spooled, read_spooled, spool_message
from mail.tasks import purge_expired_stored_files

pytestmark = pytest.mark.django_db
HEADER = b"Received: from test\r\n"
BODY = b"Subject: Bulletins\r\n\r\n" + b"0123456789abcdef" * 40


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(stored, "CHUNK_BYTES", 100)


@pytest.fixture
def person():
    """In the test's transaction (not transactional_db): nothing is queued on commit."""
    return User.objects.create_user(username="camille.test", email="camille.test@ac-demo.test",
                                    category=User.Category.TEACHER_SECONDARY)


def test_a_message_and_a_streamed_file_are_spooled_in_chunks(small_chunks, person):
    with tempfile.TemporaryFile() as data:  # the gateway's DATA, spooled to a temporary file
        data.write(b"junk before the message" + BODY)
        data.seek(len(b"junk before the message"))
        message = spool_message(HEADER, data, mail_from="a@example.org",
                                recipients=[person.email.upper()])  # fmt: skip
    assert message.size == len(HEADER + BODY)
    assert read_spooled(message) == HEADER + BODY
    sizes = [len(c.data) for c in SpoolChunk.objects.filter(message=message).order_by("seq")]
    assert sizes[:-1] == [100] * (len(sizes) - 1) and sum(sizes) == message.size
    assert message.recipients == [person.email]

    discard_spooled(message)
    with pytest.raises(stored.ContentMissing):
        read_spooled(message)


def test_empty_content_is_one_empty_chunk_not_missing(person):
    message = spool_message(b"", mail_from="", recipients=[person.email])
    assert read_spooled(message) == b"" and message.chunks.count() == 1


def test_nothing_is_kept_when_the_transaction_fails(person):
    spool_id = uuid.uuid4()
    with pytest.raises(RuntimeError), transaction.atomic():
        spool_message(HEADER + BODY, mail_from="", recipients=[person.email], spool_id=spool_id)
        raise RuntimeError("the database went away before the commit")
    assert not SpooledMessage.objects.filter(id=spool_id).exists()
    assert not SpoolChunk.objects.filter(message_id=spool_id).exists()


def test_a_fixed_id_spooled_twice_keeps_the_first_bytes(person):
    spool_id = uuid.uuid4()
    spool_message(b"first", mail_from="", recipients=[person.email], spool_id=spool_id)
    with pytest.raises(IntegrityError), transaction.atomic():
        spool_message(b"second", mail_from="", recipients=[person.email], spool_id=spool_id)
    assert read_spooled(SpooledMessage.objects.get(id=spool_id)) == b"first"


def test_a_shared_file_is_downloaded_chunk_by_chunk_then_purged(small_chunks, client, person):
    data = bytes(range(256)) * 5
    shared = shared_files.share_upload(person, Upload("notes.pdf", "application/pdf", data))
    assert shared.chunks.count() == 13
    response = client.get(reverse("shared_file", args=[shared.token]))
    assert response["Content-Length"] == str(len(data))
    pieces = list(response.streaming_content)
    assert len(pieces) == 13 and b"".join(pieces) == data

    SharedFile.objects.filter(id=shared.id).update(expires_at=timezone.now() - timedelta(1))
    assert shared_files.purge_expired() == 1
    assert not shared.chunks.exists() and SharedFile.objects.filter(id=shared.id).exists()
    assert client.get(reverse("shared_file", args=[shared.token])).status_code == 410


def test_an_upload_is_kept_for_its_owner_until_it_expires_or_is_held(small_chunks, person):
    other = User.objects.create_user(username="autre.test", email="autre.test@ac-demo.test")
    data = bytes(range(256))
    upload = stored.keep(person, "export.csv", data[:56], io.BytesIO(data[56:]), seconds=60)
    assert upload.chunks.count() == 3 and len(upload.token) == 32
    assert stored.kept(other, upload.token) is None  # a token is not enough: its owner only
    assert stored.read(stored.kept(person, upload.token).chunks) == data

    held = stored.keep(person, "contacts.vcf", b"BEGIN:VCARD", seconds=60)
    assert stored.hold(held)  # an import started: kept until it ends, however long
    late = stored.keep(person, "agenda.ics", b"BEGIN:VCALENDAR", seconds=60)
    KeptUpload.objects.filter(pk=late.pk).update(expires_at=timezone.now() - timedelta(1))
    assert stored.kept(person, late.token) is None and not stored.hold(late)

    assert purge_expired_stored_files() == 1  # the hourly sweep (CELERY_BEAT_SCHEDULE)
    assert set(KeptUpload.objects.values_list("pk", flat=True)) == {upload.pk, held.pk}
    assert not stored.KeptUploadChunk.objects.filter(upload_id=late.pk).exists()
    stored.forget(held)
    assert stored.kept(person, held.token) is None and not held.chunks.exists()


def test_the_migration_copies_the_old_folders_into_the_database(
    tmp_path, monkeypatch, settings, person
):
    migration = importlib.import_module("mail.migrations.0011_bytes_in_the_database")
    monkeypatch.setattr(migration, "CHUNK_BYTES", 100)
    settings.SPOOL_DIR, settings.SHARED_FILES_DIR = tmp_path / "spool", tmp_path / "shared"
    (tmp_path / "spool").mkdir()
    (tmp_path / "shared").mkdir()

    def row(status):
        return SpooledMessage.objects.create(mail_from="", recipients=[person.email], size=1,
                                             status=status)  # fmt: skip

    pending, captured = row("pending"), row("captured")
    delivered, lost = row("delivered"), row("dead")
    for message in (pending, captured, delivered):
        (tmp_path / "spool" / f"{message.id}.eml").write_bytes(f"{message.id}".encode() + BODY)
    in_a_day = timezone.now() + timedelta(1)
    kept = SharedFile.objects.create(user=person, filename="a", content_type="x", size=3,
                                     expires_at=in_a_day)  # fmt: skip
    revoked = SharedFile.objects.create(user=person, filename="b", content_type="x", size=3,
                                        expires_at=in_a_day, revoked_at=timezone.now())
    for shared in (kept, revoked):
        (tmp_path / "shared" / shared.token).write_bytes(b"pdf")

    migration.files_into_the_database(apps, None)

    assert read_spooled(pending) == f"{pending.id}".encode() + BODY
    assert pending.chunks.count() > 1
    assert read_spooled(captured) == f"{captured.id}".encode() + BODY
    assert not delivered.chunks.exists()  # delivered: its file was of no use any more
    assert not lost.chunks.exists()  # its file was already gone: it stays so
    assert b"".join(shared_files.content(kept)) == b"pdf"
    assert not revoked.chunks.exists()


@pytest.mark.django_db(transaction=True)
def test_the_contacts_migration_copies_the_imports_not_done_into_the_database(
    tmp_path, settings
):

    settings.VAR_DIR = tmp_path
    (tmp_path / "contacts-imports").mkdir()
    before = [("contacts", "0001_initial")]
    after = [("contacts", "0002_import_file_in_the_database")]
    owner = User.objects.create_user(username="camille.test")
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps
        for status in ("preview", "running", "done"):
            (tmp_path / "contacts-imports" / f"{status}.txt").write_text(f"BEGIN:VCARD {status}")
            old.get_model("contacts", "ContactImport").objects.create(
                owner_id=owner.pk, file_name=f"{status}.vcf", path=f"{status}.txt",
                kind="vcard", encoding="utf-8", status=status)  # fmt: skip
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(after)

    imports = {row.status: row for row in ContactImport.objects.select_related("upload")}
    assert stored.read(imports["preview"].upload.chunks) == b"BEGIN:VCARD preview"
    assert imports["preview"].upload.expires_at > timezone.now()  # a day, as a new preview
    assert stored.read(imports["running"].upload.chunks) == b"BEGIN:VCARD running"
    assert imports["running"].upload.expires_at is None  # until the worker is done
    assert imports["done"].upload is None


def test_captured_mail_is_printed_for_the_developer(person):
    message = spool_message(HEADER + BODY, mail_from="", recipients=["parent@example.org"])
    SpooledMessage.objects.filter(id=message.id).update(status="captured")
    out = io.StringIO()
    call_command("captured_mail", "--to", "PARENT@example.org", stdout=out)
    assert str(message.id) in out.getvalue() and "Subject: Bulletins" in out.getvalue()
    err = io.StringIO()
    call_command("captured_mail", "--to", "personne@example.org", stdout=io.StringIO(),
                 stderr=err)  # fmt: skip
    assert "No captured message" in err.getvalue()
