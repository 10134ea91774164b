"""A deterministic corpus of French school mail as raw RFC 5322 bytes, about 2–8 KB each.

Built by hand rather than through email.message (60,000 messages must take seconds). Like
real mail, about half of each message is transport headers (Received, DKIM, ARC…), the text
is short and often quotes the previous message, some have an HTML alternative and a few
percent a small PDF attachment.
"""

import base64
import hashlib
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.header import Header
from email.utils import format_datetime

from bench import texts

# The word the body search looks for: about one message in RARE_EVERY carries it.
RARE_WORD = "ornithorynque"
RARE_EVERY = 1000
ATTACHMENT_PERCENT = 4
HTML_PERCENT = 10
BODY_CHARS = (200, 1000)
REFERENCE_DATE = datetime(2026, 6, 30, 17, 0, tzinfo=UTC)
SPAN_DAYS = 3 * 365
_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n" + bytes(range(256)) * 12 + b"%%EOF\n"


@dataclass(frozen=True)
class Message:
    raw: bytes
    date: datetime
    seen: bool
    flagged: bool


def _encode(value: str) -> str:
    return value if value.isascii() else Header(value, "utf-8").encode()


def _wrap(paragraph: str, width: int = 74) -> list[str]:
    lines, line = [], ""
    for word in paragraph.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return [*lines, line] if line else lines


def _text(rng: random.Random, index: int, signature: str) -> str:
    lines = [rng.choice(texts.GREETINGS), ""]
    size, target = 0, rng.randint(*BODY_CHARS)
    while size < target:
        paragraph = " ".join(rng.sample(texts.SENTENCES, rng.randint(1, 4)))
        lines += [*_wrap(paragraph), ""]
        size += len(paragraph)
    if index % RARE_EVERY == RARE_EVERY // 2:
        lines.insert(2, f"PS : la mascotte du club de sciences est un {RARE_WORD} en peluche.")
    lines += [rng.choice(texts.CLOSINGS), signature]
    if rng.random() < 0.35:  # a reply quoting the previous message
        lines += ["", f"Le {rng.randint(1, 28)}/{rng.randint(1, 12)}, un collègue a écrit :"]
        lines += ["> " + line for line in _wrap(" ".join(rng.sample(texts.SENTENCES, 3)))]
    return "\n".join(lines) + "\n"


def _html(text: str) -> str:
    paragraphs = "".join(
        f"<p>{block.replace(chr(10), '<br>')}</p>\n" for block in text.split("\n\n") if block
    )
    return f'<html><body style="font-family: Arial">\n{paragraphs}</body></html>\n'


def _headers(rng: random.Random, index: int, seed: int, when: datetime, sender: str) -> list:
    name, address = sender.split("|")
    domain = address.rpartition("@")[2]
    digest = base64.b64encode(hashlib.sha256(f"{seed}-{index}".encode()).digest()).decode()
    hops = [
        f"Received: from mx{rng.randint(1, 4)}.{domain} (mx.{domain} "
        f"[192.0.2.{rng.randint(1, 254)}])\n\tby mx.ac-demo.test (Postfix) with ESMTPS "
        f"id {digest[:12]}\n\tfor <{{to}}>; "
        f"{format_datetime(when + timedelta(seconds=hop))}"
        for hop in range(rng.randint(2, 4))
    ]
    return [
        f"Return-Path: <{address}>",
        *hops,
        f"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d={domain}; s=mail;\n"
        f"\tt={int(when.timestamp())}; bh={digest};\n\th=From:To:Subject:Date:Message-ID;\n"
        f"\tb={digest * 5}",
        f"Authentication-Results: mx.ac-demo.test; dkim=pass header.d={domain};\n"
        f"\tspf=pass smtp.mailfrom={address}; dmarc=pass header.from={domain}",
        f"Date: {format_datetime(when)}",
        f"From: {_encode(name)} <{address}>",
        "To: {to}",
        f"Subject: {_encode(texts.subject(rng, when))}",
        f"Message-ID: <bench-{seed}-{index}-{digest[:8]}@{domain}>",
        f"X-Mailer: {rng.choice(texts.MAILERS)}",
        "Content-Language: fr-FR",
        "MIME-Version: 1.0",
    ]


def _part(content_type: str, body: str) -> bytes:
    header = f"Content-Type: {content_type}; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
    return (header + body).encode()


def build(index: int, recipient: str, seed: int = 2026) -> Message:
    """Message ``index`` of the corpus ``seed``: the same bytes on every run and machine."""
    rng = random.Random(seed * 1_000_003 + index)
    when = REFERENCE_DATE - timedelta(seconds=rng.randint(0, SPAN_DAYS * 86400))
    sender = texts.person(rng)
    headers = "\n".join(_headers(rng, index, seed, when, sender)).replace("{to}", recipient)
    text = _text(rng, index, sender.split("|")[0])
    roll = rng.randrange(100)
    boundary = f"=_bench_{seed}_{index}"
    if roll < ATTACHMENT_PERCENT:
        pdf = base64.encodebytes(_PDF[: rng.randint(1500, 3000)])
        body = (
            f'Content-Type: multipart/mixed; boundary="{boundary}"\n\n--{boundary}\n'.encode()
            + _part("text/plain", text)
            + f'\n--{boundary}\nContent-Type: application/pdf; name="compte-rendu.pdf"\n'
            'Content-Disposition: attachment; filename="compte-rendu.pdf"\n'
            "Content-Transfer-Encoding: base64\n\n".encode()
            + pdf
            + f"--{boundary}--\n".encode()
        )
    elif roll < ATTACHMENT_PERCENT + HTML_PERCENT:
        body = (
            f'Content-Type: multipart/alternative; boundary="{boundary}"\n\n--{boundary}\n'.encode()
            + _part("text/plain", text)
            + f"\n--{boundary}\n".encode()
            + _part("text/html", _html(text))
            + f"\n--{boundary}--\n".encode()
        )
    else:
        body = _part("text/plain", text)
    raw = headers.encode() + b"\n" + body
    return Message(raw=raw, date=when, seen=rng.random() < 0.85, flagged=rng.random() < 0.03)


def messages(count: int, recipient: str, seed: int = 2026, start: int = 0) -> Iterator[Message]:
    """Messages ``start`` to ``start + count - 1`` of the corpus ``seed``."""
    for index in range(start, start + count):
        yield build(index, recipient, seed)


def size_summary(sample: int = 2000) -> str:
    """The spread of message sizes, from the first ``sample`` messages of the corpus."""
    sizes = sorted(len(build(index, "bench@ac-demo.test").raw) for index in range(sample))
    return (
        f"{sizes[0] / 1024:.1f}–{sizes[-1] / 1024:.1f} KB, median "
        f"{sizes[len(sizes) // 2] / 1024:.1f} KB"
    )


def search_words(seed: int = 16) -> list[str]:
    """Words the corpus holds (its sentences, first and last names), six letters or more, in
    a fixed random order: each «first search of a new word» takes the next one."""
    found = {
        word.lower()
        for text in (*texts.SENTENCES, *texts._FIRST, *texts._LAST)
        for word in re.findall(r"[^\W\d_]+", text)
        if len(word) >= 6
    }
    words = sorted(found)
    random.Random(seed).shuffle(words)
    return words
