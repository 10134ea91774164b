"""Deterministic bytes for the demo corpus: its attachments (PDF, PNG, DOCX) and its messages."""

import html
import io
import random
import struct
import textwrap
import zipfile
import zlib
from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from xml.sax.saxutils import escape

DEMO_HEADER = "X-Convergence-Demo"

# Fixed timestamp inside the DOCX: the same corpus gives the same bytes on every run.
_ZIP_TIME = (2026, 11, 2, 8, 0, 0)


def make_pdf(title: str, text: str) -> bytes:
    """A valid one-page PDF (Helvetica, WinAnsi) showing the title and the wrapped text."""

    def literal(line: str) -> str:
        return "(" + line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"

    ops = ["BT", "/F1 15 Tf", "60 780 Td", f"{literal(title)} Tj", "/F1 10.5 Tf", "0 -30 Td"]
    for paragraph in text.split("\n"):
        for line in textwrap.wrap(paragraph, 90) or [""]:
            ops += [f"{literal(line)} Tj", "0 -15 Td"]
    ops.append("ET")
    stream = "\n".join(ops).encode("cp1252", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _png(width: int, height: int, pixel) -> bytes:
    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    rows = bytearray()
    for y in range(height):
        rows.append(0)  # filter type: none
        for x in range(width):
            rows.extend(pixel(x, y))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + chunk(b"IEND", b"")
    )


def make_png(style: str, seed: int) -> bytes:
    """``scan``: a photographed paper with lines of text; ``photo``: sky, hills and a sun;
    ``screen``: a grey window with a form, as in a screenshot."""
    rng = random.Random(seed)
    if style == "scan":
        ends = [rng.randint(90, 160) for _ in range(24)]

        def pixel(x: int, y: int) -> tuple[int, int, int]:
            line = (y - 20) // 9
            ink = 0 <= line < len(ends) and (y - 20) % 9 < 3 and 14 <= x < ends[line]
            return (60, 60, 70) if ink else (246, 244, 236)

        return _png(180, 240, pixel)
    if style == "photo":
        sun_x, sun_y = rng.randint(40, 200), rng.randint(15, 45)

        def pixel(x: int, y: int) -> tuple[int, int, int]:
            if (x - sun_x) ** 2 + (y - sun_y) ** 2 < 150:
                return (250, 215, 90)
            if y > 110 + 18 * ((x // 40) % 2):
                return (70, 130 + y % 40, 60)
            return (120 + y // 2, 170 + y // 3, 235)

        return _png(240, 160, pixel)

    def pixel(x: int, y: int) -> tuple[int, int, int]:
        if y < 18:
            return (0, 0, 145)
        if 40 <= x < 200 and (y - 40) % 34 < 16 and 40 <= y < 180:
            return (255, 255, 255)
        return (225, 227, 230)

    return _png(240, 200, pixel)


def make_docx(title: str, text: str) -> bytes:
    """A minimal WordprocessingML document that word processors open."""
    paragraphs = [title, *[p for p in text.split("\n") if p.strip()]]
    body = "".join(
        f'<w:p><w:r><w:t xml:space="preserve">{escape(p)}</w:t></w:r></w:p>' for p in paragraphs
    )
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
        ),
        "word/document.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body>{body}</w:body></w:document>"
        ),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in parts.items():
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content.encode())
    return buffer.getvalue()


def html_version(body: str, sender_name: str) -> str:
    paragraphs = "".join(
        "<p>" + "<br>".join(html.escape(line) for line in block.split("\n")) + "</p>"
        for block in body.split("\n\n")
    )
    return (
        '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"></head><body>'
        f'<p style="color:#000091;font-weight:bold">{html.escape(sender_name)}</p>'
        f"{paragraphs}</body></html>"
    )


def render_message(
    *,
    sender: Address,
    to: list[Address],
    cc: list[Address],
    subject: str,
    when: datetime,
    message_id: str,
    references: list[str],
    body: str,
    html_body: str | None,
    attachments: list[tuple[str, str, bytes]],
) -> bytes:
    """RFC 5322 bytes with CRLF line ends, 7-bit, ready for SMTP."""
    msg = EmailMessage()
    msg["From"] = sender
    # Circulaires and notes de service go out in blind copy, as they do in real life.
    msg["To"] = to or "undisclosed-recipients:;"
    if cc:
        msg["Cc"] = cc
    msg["Subject"] = subject
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = message_id
    if references:
        msg["In-Reply-To"] = references[-1]
        msg["References"] = " ".join(references)
    msg[DEMO_HEADER] = "seed_demo"
    # Quoted-printable keeps the bytes 7-bit: the gateway is not told BODY=8BITMIME.
    msg.set_content(body, cte="quoted-printable")
    if html_body:
        msg.add_alternative(html_body, subtype="html", cte="quoted-printable")
    for filename, content_type, data in attachments:
        maintype, _, subtype = content_type.partition("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    # The stdlib draws boundaries from the global random generator: fix them, for stable bytes.
    token = message_id.strip("<>").partition("@")[0]
    for depth, part in enumerate(p for p in msg.walk() if p.is_multipart()):
        part.set_boundary(f"=_demo_{token}_{depth}")
    return msg.as_bytes(policy=policy.SMTP)
