"""A large file on the compose page goes to disk as it arrives and becomes a link without
ever being read whole into memory (#17: uploads were read into memory before becoming
links). The request body is streamed from a file through Django's whole handler, and the
memory Python allocates meanwhile is traced."""

import tracemalloc
import uuid
from email import message_from_bytes, policy

from django.conf import settings
from django.test import Client
from django.urls import reverse

from mail.models import OutgoingMessage, SharedFile, stored

BOUNDARY = "----convergence-test-boundary"
CHUNK = b"%PDF-1.4 bulletins trimestriels " * 2048  # 64 KiB


def _multipart(path, fields: dict[str, str], filename: str, size: int) -> int:
    """A multipart/form-data body written to ``path`` chunk by chunk; its length."""
    with open(path, "wb") as body:
        for name, value in fields.items():
            body.write(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                       f"{value}\r\n".encode())  # fmt: skip
        body.write(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="attachments"; '
                   f'filename="{filename}"\r\nContent-Type: application/pdf\r\n\r\n'.encode())
        for _ in range(size // len(CHUNK)):
            body.write(CHUNK)
        body.write(CHUNK[: size % len(CHUNK)])
        body.write(f"\r\n--{BOUNDARY}--\r\n".encode())
        return body.tell()


def test_a_200_mb_file_becomes_a_link_without_being_held_in_memory(prof, colleague, tmp_path):
    size = settings.SHARED_FILE_MAX_BYTES  # the largest file a link may carry
    client = Client()
    client.force_login(prof)
    fields = {"sender": str(prof.personal_mailbox.id), "to": colleague.email,
              "subject": "Bulletins du trimestre", "body": "Bonjour,\nci-joint.",
              "draft_key": str(uuid.uuid4())}  # fmt: skip
    request_body = tmp_path / "request"
    length = _multipart(request_body, fields, "bulletins.pdf", size)
    with open(request_body, "rb") as stream:
        environ = client._base_environ(
            PATH_INFO=reverse("mail:compose"),
            REQUEST_METHOD="POST",
            CONTENT_TYPE=f"multipart/form-data; boundary={BOUNDARY}",
            CONTENT_LENGTH=str(length),
            **{"wsgi.input": stream},
        )
        tracemalloc.start()
        try:
            response = client.handler(environ)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert response.status_code == 302, response.content[:2000]
    print(f"peak Python memory for a {size >> 20} MiB upload: {peak / 2**20:.1f} MiB")
    assert peak < 32 * 2**20, f"{peak / 2**20:.0f} MiB allocated at once for the upload"
    shared = SharedFile.objects.get(user=prof)
    chunks = stored.stream(shared.chunks)
    first = next(chunks)
    assert shared.size == size == len(first) + sum(len(chunk) for chunk in chunks)
    assert first.startswith(CHUNK)
    outgoing = OutgoingMessage.objects.get(user=prof)
    message = message_from_bytes(bytes(outgoing.raw), policy=policy.default)
    assert f"/partage/{shared.token}/" in message.get_body(("plain",)).get_content()
    assert len(outgoing.raw) < 64 * 1024  # the link, not the file
