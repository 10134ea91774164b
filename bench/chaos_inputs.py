"""Hostile messages for `make chaos`: the suite's broken fixtures and a few made here, each as
any outside sender could send it."""

from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "mail"
FROM_FIXTURES = ("broken-headers", "broken-multipart", "hostile-html", "unknown-charset",
                 "date-garbage")  # fmt: skip


def _made() -> dict[str, bytes]:
    head = b"From: x@example.org\r\nTo: chaos@ac-demo.test\r\nDate: Sun, 6 Dec 2026 10:00 +0100\r\n"
    nested = b"".join(
        b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (n, n)
        for n in range(80)
    )
    return {
        "nul-header": head + b"Subject: avant\x00apres\r\nX-Nul: \x00\r\n\r\ncorps\r\n",
        "invalid-utf8": head + b"Subject: caf\xe9 \xff\xfe\r\n\r\ncorps \xc3\x28\r\n",
        "huge-subject": head + b"Subject: " + b"conseil " * 250_000 + b"\r\n\r\ncorps\r\n",
        "long-line": head + b"Subject: ligne longue\r\n\r\n" + b"x" * 50_000 + b"\r\n",
        "deep-nesting": head + b"Subject: poupees russes\r\nMIME-Version: 1.0\r\n" + nested,
        "no-headers": b"\r\njuste un corps, sans en-tete\r\n",
        "binary": head + b"Subject: binaire\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        + bytes(range(256)) * 40,
    }


def messages() -> dict[str, bytes]:
    found = {name: (FIXTURES / f"{name}.eml").read_bytes() for name in FROM_FIXTURES}
    return {**found, **_made()}
