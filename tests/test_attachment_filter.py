"""«Avec pièces jointes» against a real Dovecot: messages with real attachments, not those
merely wrapped in multipart/mixed nor those with a logo inside the body."""

import re
import uuid
from pathlib import Path

import pytest
from django.urls import reverse

from accounts.models import Preferences
from mail.transport.lmtp import lmtp_deliver
from tests.conftest import build_message, deliver

pytestmark = pytest.mark.usefixtures("mail_stack")
FIXTURES = Path(__file__).parent / "fixtures" / "mail"
ATTACHED = ("forward-with-attachments.eml", "attachment-pdf-alone.eml")
NOT_ATTACHED = ("mixed-text-and-footer.eml", "related-inline-logo.eml")


def _deliver(user, name: str, tag: str) -> str:
    subject = f"{name.removesuffix('.eml')} {tag}"
    raw = re.sub(
        rb"(?m)^Subject: .*$", f"Subject: {subject}\r".encode(), (FIXTURES / name).read_bytes()
    )
    raw = re.sub(
        rb"(?m)^Message-ID: .*$", f"Message-ID: <{uuid.uuid4().hex}@x.org>\r".encode(), raw
    )
    assert lmtp_deliver(raw, mail_from="t@example.org", imap_users=[user.username]).delivered
    return subject


def test_the_filter_and_the_advanced_search_find_real_attachments_only(client, prof):
    Preferences.objects.create(user=prof, page_size=200)
    tag = uuid.uuid4().hex[:10]
    subjects = {name: _deliver(prof, name, tag) for name in (*ATTACHED, *NOT_ATTACHED)}
    deliver(prof, build_message(to=prof.email, subject=f"plain {tag}"))
    mine = {*subjects.values(), f"plain {tag}"}
    expected = {subjects[name] for name in ATTACHED}
    client.force_login(prof)
    box = prof.personal_mailbox.id

    listing = client.get(reverse("mail:folder", args=[box, "INBOX"]))
    clipped = {e.subject for e in listing.context["page"].envelopes if e.has_attachments}
    assert clipped & mine == expected  # the paperclip says the same

    filtered = client.get(reverse("mail:folder", args=[box, "INBOX"]), {"filter": "attachments"})
    assert {e.subject for e in filtered.context["page"].envelopes} & mine == expected
    conversations = client.get(
        reverse("mail:folder", args=[box, "INBOX"]),
        {"filter": "attachments", "vue": "conversations"},
    )
    found = {c.first.subject for c in conversations.context["page"].conversations}
    assert found & mine == expected

    searched = client.get(reverse("mail:search", args=[box]), {"with_attachments": "on"})
    assert {e.subject for e in searched.context["page"].envelopes} & mine == expected
    narrowed = client.get(
        reverse("mail:search", args=[box]), {"with_attachments": "on", "subject": "pdf-alone"}
    )
    assert {e.subject for e in narrowed.context["page"].envelopes} & mine == {
        subjects["attachment-pdf-alone.eml"]
    }
