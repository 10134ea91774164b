"""The demo mail corpus without servers: deterministic, valid, French, spread over the
mailboxes seed_demo creates."""

import io
import re
import zipfile
from datetime import timedelta
from email import policy
from email.parser import BytesParser
from email.utils import parsedate_to_datetime

import pytest

from demo import academie as demo
from demo.mail_corpus import (
    DEMO_HEADER,
    REFERENCE_DATE,
    SPAN_DAYS,
    envelope_index,
    envelope_sender,
    load_corpus,
)
from mail.message.parse import read_message

PARSER = BytesParser(policy=policy.default)
VIE_SCOLAIRE = "vie-scolaire.0311234y@ac-demo.test"


@pytest.fixture(scope="module")
def corpus():
    return load_corpus("ac-demo.test")


@pytest.fixture(scope="module")
def parsed(corpus):
    return [PARSER.parsebytes(message.raw) for message in corpus]


def test_corpus_is_deterministic_and_a_few_hundred_messages(corpus):
    assert 200 <= len(corpus) <= 400
    assert [m.raw for m in load_corpus("ac-demo.test")] == [m.raw for m in corpus]


def test_corpus_follows_the_mail_domain(corpus):
    moved = load_corpus("ac-toulouse.fr")
    assert [m.subject for m in moved] == [m.subject for m in corpus]
    for message in moved:
        assert all(address.endswith("@ac-toulouse.fr") for address in message.recipients)
        assert b"ac-demo.test" not in message.raw
    assert b"@example.org" in b"".join(m.raw for m in moved)  # families keep their address


def test_each_demo_mailbox_gets_its_share(corpus):
    def count(address):
        return sum(address in m.recipients for m in corpus)

    assert count("prof.demo@ac-demo.test") >= 120
    assert count("secretariat.demo@ac-demo.test") >= 40
    assert count(VIE_SCOLAIRE) >= 60
    assert count("support.demo@ac-demo.test") >= 20


def test_messages_only_go_to_mailboxes_that_seed_demo_creates(corpus):
    known = {p.address("ac-demo.test") for p in demo.PEOPLE} | {VIE_SCOLAIRE}
    for message in corpus:
        assert message.recipients and set(message.recipients) <= known


def test_envelope_senders_number_the_messages(corpus):
    assert [m.index for m in corpus] == list(range(1, len(corpus) + 1))
    for message in corpus:
        assert message.mail_from == envelope_sender(message.index)
        assert envelope_index(message.mail_from) == message.index
    assert envelope_index("famille.durand@example.org") is None


def test_every_message_is_valid_rfc5322(corpus, parsed):
    ids = set()
    for message, msg in zip(corpus, parsed, strict=True):
        assert not msg.defects, (message.index, msg.defects)
        assert message.raw.isascii()  # headers as encoded words, bodies quoted-printable
        assert all(len(line) <= 998 for line in message.raw.split(b"\r\n"))
        assert b"\n" not in message.raw.replace(b"\r\n", b"")
        for header in ("From", "To", "Subject", "Date", "Message-ID", "MIME-Version"):
            assert msg[header], (message.index, header)
        assert msg[DEMO_HEADER] == "seed_demo"
        assert re.fullmatch(r"<[\w.]+@[\w.-]+>", msg["Message-ID"])
        ids.add(msg["Message-ID"])
        assert read_message(message.raw).problems == []
    assert len(ids) == len(corpus)


def test_dates_span_the_sixty_days_before_the_reference(parsed):
    dates = [parsedate_to_datetime(msg["Date"]) for msg in parsed]
    assert dates == sorted(dates)
    assert REFERENCE_DATE - timedelta(days=SPAN_DAYS + 1) <= dates[0]
    assert dates[-1] <= REFERENCE_DATE
    assert dates[-1] - dates[0] > timedelta(days=45)


def test_content_is_french_with_accents(parsed):
    subjects = [str(msg["Subject"]) for msg in parsed]
    bodies = [msg.get_body(("plain",)).get_content() for msg in parsed]
    assert sum(any(c in s for c in "éèàêçôûÉ") for s in subjects) >= 50
    assert all(not re.search(r"[{}]", s) for s in subjects + bodies)  # every field filled in
    text = "\n".join(bodies)
    for word in ("Bonjour", "Madame", "conseil de classe", "élèves", "Cordialement", "à"):
        assert word in text
    assert any("famille" in str(msg["From"]).lower() or "example." in str(msg["From"])
               for msg in parsed)  # fmt: skip
    senders = {msg["From"].addresses[0].domain for msg in parsed}
    assert {"ac-demo.test", "example.org"} <= senders


def test_attachments_are_small_real_files(parsed):
    found: dict[str, int] = {}
    for msg in parsed:
        for part in msg.iter_attachments():
            data = part.get_content()
            kind = part.get_content_type()
            found[kind] = found.get(kind, 0) + 1
            assert part.get_filename() and len(data) < 50_000
            if kind == "application/pdf":
                assert data.startswith(b"%PDF-1.4") and data.rstrip().endswith(b"%%EOF")
            elif kind == "image/png":
                assert data.startswith(b"\x89PNG\r\n\x1a\n") and b"IEND" in data[-12:]
            else:
                assert kind == "application/octet-stream"
                assert part.get_filename().endswith(".docx")
                with zipfile.ZipFile(io.BytesIO(data)) as archive:
                    assert archive.testzip() is None
                    assert b"<w:t" in archive.read("word/document.xml")
    assert found.get("application/pdf", 0) >= 5 and found.get("image/png", 0) >= 5
    assert found.get("application/octet-stream", 0) >= 2


def test_some_messages_have_an_html_alternative(parsed):
    html = [m for m in parsed if any(p.get_content_type() == "text/html" for p in m.walk())]
    assert len(html) >= 10
    for msg in html:
        assert any(p.get_content_type() == "multipart/alternative" for p in msg.walk())
        assert msg.get_body(("plain",)) is not None


def test_threads_carry_in_reply_to_and_references(parsed):
    by_id = {msg["Message-ID"]: msg for msg in parsed}
    replies = [msg for msg in parsed if msg["In-Reply-To"]]
    assert len(replies) >= 20
    linked = 0
    for reply in replies:
        references = str(reply["References"]).split()
        assert str(reply["Subject"]).startswith("Re: ")
        assert references[-1] == reply["In-Reply-To"]
        opening = by_id.get(references[0])
        if opening is not None:
            linked += 1
            assert str(reply["Subject"]) == f"Re: {opening['Subject']}"
            assert parsedate_to_datetime(opening["Date"]) < parsedate_to_datetime(reply["Date"])
        assert "a écrit :" in reply.get_body(("plain",)).get_content()
    assert linked >= 20
