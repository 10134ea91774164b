"""Malformed and hostile messages open with what can be shown, never an exception."""

from pathlib import Path

from django.template.loader import render_to_string

from mail.message.parse import html_to_text, read_message

FIXTURES = Path(__file__).parent / "fixtures" / "mail"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_unknown_charset_is_shown_with_a_note():
    message = read_message(fixture("unknown-charset.eml"))
    assert "Mon fils sera absent demain" in message.text
    assert message.date is None
    assert message.sender.endswith("<famille@example.org>")
    assert "unknown-charset" in message.problems


def test_unclosed_multipart_keeps_text_and_lists_the_attachment_by_name_only():
    message = read_message(fixture("broken-multipart.eml"))
    assert "Voici les photos." in message.text
    assert [a.filename for a in message.attachments] == ["../../etc/passwd"]
    assert message.problems


def test_html_only_message_is_reduced_to_inert_text():
    message = read_message(fixture("hostile-html.eml"))
    assert message.from_html
    assert "Cliquez ici pour garder votre compte." in message.text
    for dangerous in ("<script", "alert(", "onload", "javascript:", "display:none", "<svg"):
        assert dangerous not in message.text


def test_nesting_a_hundred_levels_deep_stops_at_the_limit():
    raw = b"From: a@example.org\r\nSubject: deep\r\nMIME-Version: 1.0\r\n"
    for level in range(100):
        raw += f'Content-Type: multipart/mixed; boundary="b{level}"\r\n\r\n--b{level}\r\n'.encode()
    raw += b"Content-Type: text/plain\r\n\r\nau fond\r\n"
    message = read_message(raw)
    assert "too-deep" in message.problems


def test_a_ten_megabyte_line_opens():
    raw = b"From: a@example.org\r\nSubject: long\r\n\r\n" + b"x" * (10 * 1024 * 1024) + b"\r\n"
    message = read_message(raw)
    assert len(message.text) >= 10 * 1024 * 1024


def test_rendered_page_escapes_whatever_the_text_contains():
    message = read_message(
        b"From: a@example.org\r\nSubject: <b>objet</b>\r\n\r\n<script>alert(1)</script>\r\n"
    )
    context = {"message": message, "mailbox": {"id": 1}, "folder": "INBOX", "uid": 1}
    html = render_to_string("mail/message.html", context)
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;" in html


def test_html_to_text_keeps_paragraphs():
    assert html_to_text("<p>Bonjour</p><p>Cordialement</p>") == "Bonjour\n\nCordialement"
