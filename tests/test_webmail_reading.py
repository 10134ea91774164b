"""Reading one message against a real Dovecot: sandboxed HTML, images, parts, source, headers."""

import re

import pytest
from django.urls import reverse

from mail.models import TrustedSender
from tests.conftest import PNG, build_message, deliver, html_message, uid_of, unique_subject

pytestmark = pytest.mark.usefixtures("mail_stack")


def urls(user, subject, folder="INBOX"):
    uid = uid_of(user, subject, folder)
    box = user.personal_mailbox.id
    return {
        name: reverse(f"mail:{name}", args=[box, folder, uid])
        for name in ("message", "body", "source", "headers", "print")
    } | {"attachment": lambda i: reverse("mail:attachment", args=[box, folder, uid, i])}


def test_html_message_in_a_sandboxed_frame_with_remote_images_blocked(
    client, prof, image_server, settings
):
    settings.IMAGE_PROXY_ALLOW_PRIVATE = True
    base, hits = image_server
    subject = unique_subject("Lettre d'information")
    deliver(prof, html_message(prof.email, subject, base))
    client.force_login(prof)
    links = urls(prof, subject)

    page = client.get(links["message"])
    assert page.status_code == 200
    assert 'sandbox="allow-popups allow-popups-to-escape-sandbox"' in page.text
    assert page.context["safe"].remote_images == 1
    assert "https://hameconnage.example/login" in page.text  # the deceptive-link warning
    assert "extérieur de l’académie" in page.text  # sender from example.org

    body = client.get(links["body"])
    csp = body["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "sandbox" in csp and "script-src" not in csp
    assert "<script" not in body.text and "alert(1)" not in body.text
    assert base not in body.text and not hits  # blocked: the tracker never heard of us
    assert "/mail/image-integree/?t=" in body.text  # the cid: image points to the app

    allowed = client.get(links["body"], {"images": "1"})
    proxied = allowed.text.split('src="')[1].split('"')[0].replace("&amp;", "&")
    assert proxied.startswith("/mail/image-distante/?t=")
    image = client.get(proxied)
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert hits == [None]  # fetched by the server, without the reader's cookies

    inline = allowed.text.split('src="')[2].split('"')[0].replace("&amp;", "&")
    client.logout()  # the sandboxed frame sends no cookie: the signed URL is enough
    assert b"".join(client.get(inline).streaming_content) == PNG
    assert client.get(inline.replace("?t=", "?t=x")).status_code == 404


def frame_src(page) -> str:
    return page.text.split('class="cv-body-frame"')[1].split('src="')[1].split('"')[0].replace(
        "&amp;", "&"
    )


def without_tokens(html: str) -> str:
    return re.sub(r"\?t=[^\"]+", "?t=…", html)


def test_the_frame_shows_what_the_page_just_read_and_nothing_else(
    client, prof, colleague, image_server
):
    """The message page hands its body to the frame (views/reading.py, «handover»): the frame
    must show the same thing as if it had read the message itself, only for that message, that
    person, and while they may still read the mailbox."""
    base, _ = image_server
    first, second = unique_subject("Lettre"), unique_subject("Autre lettre")
    deliver(prof, html_message(prof.email, first, base))
    message = build_message(to=prof.email, subject=second, body="Version texte.")
    message.add_alternative("<p>Deuxième</p>", subtype="html")
    deliver(prof, message)
    client.force_login(prof)
    links, others = urls(prof, first), urls(prof, second)

    src = frame_src(client.get(links["message"]))
    assert src.startswith(links["body"] + "?v=")
    handed = client.get(src)
    assert handed.status_code == 200 and handed["Cache-Control"] == "private, no-store"
    assert without_tokens(handed.text) == without_tokens(client.get(links["body"]).text)
    assert "Bonjour <b>Camille</b>" in handed.text and "<script" not in handed.text

    key = src.partition("?")[2]
    assert "Deuxième" in client.get(f"{others['body']}?{key}").text  # another message: read it

    client.force_login(colleague)
    assert client.get(src).status_code == 404  # not their mailbox, whatever the key


def test_always_show_images_from_a_trusted_sender(client, prof, image_server, settings):
    settings.IMAGE_PROXY_ALLOW_PRIVATE = True
    base, _ = image_server
    subject = unique_subject()
    deliver(prof, html_message(prof.email, subject, base))
    client.force_login(prof)
    client.post(
        reverse("mail:trust_sender", args=[prof.personal_mailbox.id]),
        {"address": "famille.durand@example.org"},
    )
    assert TrustedSender.objects.filter(user=prof, address="famille.durand@example.org").exists()
    body = client.get(urls(prof, subject)["body"])
    assert "/mail/image-distante/?t=" in body.text


def test_attachment_download_has_a_safe_name_and_type(client, prof):
    subject = unique_subject("Photos")
    message = build_message(to=prof.email, subject=subject)
    message.add_attachment(
        b"<script>alert(1)</script>",
        maintype="text",
        subtype="html",
        filename="../../etc/passwd.html",
    )
    message.add_attachment(
        b"%PDF-1.4 fake", maintype="application", subtype="pdf", filename="Compte rendu été.pdf"
    )
    deliver(prof, message)
    client.force_login(prof)
    links = urls(prof, subject)
    page = client.get(links["message"])
    first, second = page.context["message"].attachments

    download = client.get(links["attachment"](first.index))
    assert download.status_code == 200, (first, download.status_code)
    assert download["Content-Type"] == "application/octet-stream"
    assert "attachment" in download["Content-Disposition"]
    assert "/" not in download["Content-Disposition"].split("filename=")[1]
    assert download["X-Content-Type-Options"] == "nosniff"
    pdf = client.get(links["attachment"](second.index), {"apercu": "1"})
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].startswith("inline")
    assert "filename*=utf-8''Compte%20rendu%20%C3%A9t%C3%A9.pdf" in pdf["Content-Disposition"]
    assert client.get(links["attachment"](99)).status_code == 404


def test_source_headers_and_print_views(client, prof):
    subject = unique_subject("Conseil de classe")
    deliver(prof, build_message(to=prof.email, subject=subject, body="Ordre du jour."))
    client.force_login(prof)
    links = urls(prof, subject)
    source = client.get(links["source"])
    assert source["Content-Type"] == "message/rfc822"
    assert b"Ordre du jour." in b"".join(source.streaming_content)
    assert "Message-ID:" in client.get(links["headers"]).text
    printed = client.get(links["print"])
    assert "Ordre du jour." in printed.text and "js/print.js" in printed.text


def test_opening_marks_read_and_neighbours_link(client, prof):
    first, second = unique_subject("Premier"), unique_subject("Second")
    deliver(prof, build_message(to=prof.email, subject=first))
    deliver(prof, build_message(to=prof.email, subject=second))
    client.force_login(prof)
    page = client.get(urls(prof, first)["message"])
    assert page.context["older"] or page.context["newer"]
    listing = client.get(reverse("mail:folder", args=[prof.personal_mailbox.id, "INBOX"]))
    seen = {e.subject: e.seen for e in listing.context["page"].envelopes}
    assert seen[first] is True and seen[second] is False
