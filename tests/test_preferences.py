"""Preferences change what the webmail does, against a real Dovecot."""

import pytest
from django.urls import reverse

from accounts.models import Preferences
from tests.conftest import build_message, deliver, html_message, uid_of, unique_subject

pytestmark = pytest.mark.usefixtures("mail_stack")


def save(client, **changes):
    current = {"page_size": 50, "reading_pane": "", "prefer_html": "on", "mark_read": 0,
               "undo_send_seconds": 5,
               "language": "fr", "time_zone": "Europe/Paris"}  # fmt: skip
    current.update(changes)
    response = client.post(
        reverse("accounts:preferences"), {k: v for k, v in current.items() if v != ""}
    )
    assert response.status_code == 302


def test_page_size_and_reading_pane(client, prof):
    subjects = [unique_subject(f"Volet {n}") for n in range(3)]
    for subject in subjects:
        deliver(prof, build_message(to=prof.email, subject=subject, body=f"Corps de {subject}"))
    client.force_login(prof)
    save(client, page_size=25, reading_pane="on")
    url = reverse("mail:folder", args=[prof.personal_mailbox.id, "INBOX"])
    listing = client.get(url)
    assert listing.context["page"].page_size == 25
    assert "?page=1&amp;lire=" in listing.text
    pane = client.get(url, {"lire": uid_of(prof, subjects[0])})
    assert pane.context["reading"] and f"Corps de {subjects[0]}" in pane.text


def test_plain_text_preference_and_delayed_mark_as_read(client, prof):
    subject = unique_subject("Lettre")
    deliver(prof, html_message(prof.email, subject, "http://127.0.0.1:9"))
    client.force_login(prof)
    save(client, prefer_html="", mark_read=10)
    url = reverse("mail:message", args=[prof.personal_mailbox.id, "INBOX", uid_of(prof, subject)])
    page = client.get(url)
    assert "cv-body-frame" not in page.text and "Version texte." in page.text
    assert 'data-mark-read-after="10"' in page.text
    assert "cv-body-frame" in client.get(url, {"format": "html"}).text
    listing = client.get(reverse("mail:folder", args=[prof.personal_mailbox.id, "INBOX"]))
    assert {e.subject: e.seen for e in listing.context["page"].envelopes}[subject] is False


def test_language_and_time_zone(client, prof):
    client.force_login(prof)
    save(client, language="en", time_zone="Pacific/Noumea")
    assert Preferences.of(prof).language == "en"
    page = client.get(reverse("mail:folder", args=[prof.personal_mailbox.id, "INBOX"]))
    assert "Inbox" in page.text and "Boîte de réception" not in page.text
    client.post(reverse("accounts:language"), {"language": "fr", "next": "/mail/"})
    assert Preferences.of(prof).language == "fr"
    assert (
        "Boîte de réception"
        in client.get(reverse("mail:folder", args=[prof.personal_mailbox.id, "INBOX"])).text
    )
