"""«Avec pièces jointes» against a real Dovecot: messages with real attachments, not those
merely wrapped in multipart/mixed nor those with a logo inside the body."""

import re
import uuid
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from accounts.models import Preferences
from mail.transport.lmtp import lmtp_deliver
from tests.conftest import build_message, deliver, empty_inbox, sign_in_to_inbox

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


def _page(response):
    """The list's page, or a failure that says which page came instead (a 503 under load)."""
    assert response.status_code == 200, (response.status_code, response.text[:300])
    return response.context["page"]


def test_the_filter_and_the_advanced_search_find_real_attachments_only(client, prof):
    Preferences.objects.create(user=prof, page_size=200)
    # The fixtures are dated 1 October 2026: a worker's earlier mail would push them off page 1,
    # and a cold INBOX of thousands makes each list cost a SORT and a BODYSTRUCTURE of them all.
    empty_inbox(prof)
    tag = uuid.uuid4().hex[:10]
    subjects = {name: _deliver(prof, name, tag) for name in (*ATTACHED, *NOT_ATTACHED)}
    deliver(prof, build_message(to=prof.email, subject=f"plain {tag}"))
    mine = {*subjects.values(), f"plain {tag}"}
    expected = {subjects[name] for name in ATTACHED}
    client.force_login(prof)
    box = prof.personal_mailbox.id

    listing = client.get(reverse("mail:folder", args=[box, "INBOX"]))
    clipped = {e.subject for e in _page(listing).envelopes if e.has_attachments}
    assert clipped & mine == expected  # the paperclip says the same

    filtered = client.get(reverse("mail:folder", args=[box, "INBOX"]), {"filter": "attachments"})
    assert {e.subject for e in _page(filtered).envelopes} & mine == expected
    conversations = client.get(
        reverse("mail:folder", args=[box, "INBOX"]),
        {"filter": "attachments", "vue": "conversations"},
    )
    found = {c.first.subject for c in _page(conversations).conversations}
    assert found & mine == expected

    # In the INBOX: across folders, the Trash's newer mail could fill page 1.
    searched = client.get(
        reverse("mail:search", args=[box]), {"with_attachments": "on", "folder": "INBOX"}
    )
    assert {e.subject for e in _page(searched).envelopes} & mine == expected
    narrowed = client.get(
        reverse("mail:search", args=[box]), {"with_attachments": "on", "subject": "pdf-alone"}
    )
    assert {e.subject for e in _page(narrowed).envelopes} & mine == {
        subjects["attachment-pdf-alone.eml"]
    }


@pytest.mark.browser
def test_a_person_filters_the_list_and_ticks_the_search_s_attachment_box(live_server, page, prof):
    """The «Avec pièces jointes» tag showed nothing, and the advanced search ignored its box."""
    empty_inbox(prof)  # the fixtures' date is old: other tests' mail would push them off page 1
    tag = uuid.uuid4().hex[:10]
    subjects = {name: _deliver(prof, name, tag) for name in (*ATTACHED, *NOT_ATTACHED)}
    sign_in_to_inbox(page, live_server)
    for subject in subjects.values():
        expect(page.get_by_role("link", name=subject)).to_be_visible()

    page.get_by_role("link", name="Avec pièces jointes").click()
    expect(page.get_by_role("link", name="Avec pièces jointes")).to_have_attribute(
        "aria-current", "true"
    )
    for name, subject in subjects.items():
        expect(page.get_by_role("link", name=subject)).to_have_count(1 if name in ATTACHED else 0)

    page.get_by_role("link", name="Rechercher dans tous les dossiers, recherche avancée").click()
    form = page.locator("form.cv-search-form")
    form.get_by_label("Objet").fill(tag)
    form.get_by_text("Avec pièces jointes").click()  # DSFR: the label covers the box
    expect(form.get_by_role("checkbox", name="Avec pièces jointes")).to_be_checked()
    form.get_by_role("button", name="Rechercher").click()
    expect(page.get_by_role("heading", name="2 messages trouvés")).to_be_visible()
    for name, subject in subjects.items():
        expect(page.get_by_role("link", name=subject)).to_have_count(1 if name in ATTACHED else 0)
