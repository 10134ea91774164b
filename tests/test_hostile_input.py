"""IMAP syntax in what a user types, against a real Dovecot: never a 500, never a stall.

Every user string reaches the server quoted or as a literal, whatever it contains; what
cannot be sent at all is refused with a French message."""

from pathlib import Path
from urllib.parse import quote

import pytest
from django.urls import reverse

from mail.imap import imap_session
from mail.transport.lmtp import lmtp_deliver
from notifications.models import NotificationSettings
from tests.conftest import build_message, deliver, uid_of, unique_subject

pytestmark = pytest.mark.usefixtures("mail_stack")
FIXTURES = Path(__file__).parent / "fixtures" / "mail"

HOSTILE = [
    "(",
    ")",
    "{5}",
    "{5+}",
    "x {3}\r\nabc",
    '"',
    "\\",
    "*",
    "%",
    "[",
    "]",
    "a) OR (ALL",
    'a" ALL "b',
    "\r\n",
    "é {5}",
    "\x00",
    "\x7f",
    "ALL",
    "~root",
    "..",
]


def assert_answered(response):
    # A string that stalls IMAP (a literal announced and never sent) ends at IMAP_TIMEOUT as
    # a 503: the status tells a stall, with no clock in the test.
    assert response.status_code in (200, 302, 404), response.status_code


def test_search_text_with_imap_syntax_is_sent_as_text(client, prof):
    token = unique_subject("").strip()
    subject = f'Sortie ({token}) {{5}} [x] "y" \\z'
    deliver(prof, build_message(to=prof.email, subject=subject, body=f"Mot {token}"))
    client.force_login(prof)
    url = reverse("mail:folder", args=[prof.personal_mailbox.id, "INBOX"])
    # Each holds the token, so a hit proves the syntax around it reached Dovecot as text.
    for text in (
        f"({token}",
        f"{token})",
        f"[ {token}",
        f'"{token}"',
        f"\\{token}",
    ):
        response = client.get(url, {"q": text})
        assert_answered(response)
        assert response.status_code == 200
        found = [e.subject for e in response.context["page"].envelopes]
        assert subject in found, text


@pytest.mark.parametrize("text", HOSTILE)
def test_quick_and_advanced_search_never_fail(client, prof, text):
    client.force_login(prof)
    box = prof.personal_mailbox.id
    folder = reverse("mail:folder", args=[box, "INBOX"])
    assert_answered(client.get(folder, {"q": text}))
    search = reverse("mail:search", args=[box])
    for field in ("text", "sender", "recipient", "subject"):
        response = client.get(search, {field: text})
        assert_answered(response)
        assert response.status_code == 200


def test_refused_search_text_says_why_in_french(client, prof):
    client.force_login(prof)
    box = prof.personal_mailbox.id
    search = reverse("mail:search", args=[box])
    response = client.get(search, {"text": "a\x01b"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    assert "Cette recherche ne peut pas être lancée" in response.text
    folder = reverse("mail:folder", args=[box, "INBOX"])
    response = client.get(folder, {"q": "a\x01b"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    assert "Cette recherche ne peut pas être lancée" in response.text


@pytest.fixture
def own_folders(prof):
    """Folders the test creates are deleted afterwards: the Dovecot mailbox outlives it."""
    with imap_session(prof.username) as box:
        before = {f.name for f in box.folders(refresh=True)}
    yield
    with imap_session(prof.username) as box:
        for folder in sorted(box.folders(refresh=True), key=lambda f: -f.depth):
            if folder.name not in before and folder.selectable and not folder.special_use:
                box.delete_folder(folder.name)


@pytest.mark.usefixtures("own_folders")
@pytest.mark.parametrize("name", HOSTILE + ["a{5}b", "Classes/(x)", "cur", "dovecot.index"])
def test_folder_names_and_move_targets_with_imap_syntax(client, prof, name):
    client.force_login(prof)
    box = prof.personal_mailbox.id
    assert_answered(client.post(reverse("mail:folders", args=[box]), {"name": name}))
    subject = unique_subject()
    deliver(prof, build_message(to=prof.email, subject=subject))
    response = client.post(
        reverse("mail:act", args=[box]),
        {"folder": "INBOX", "action": "move", "uid": [uid_of(prof, subject)], "target": name},
    )
    assert_answered(response)
    url = reverse("mail:folder", args=[box, "INBOX"]).removesuffix("INBOX/") + quote(name) + "/"
    assert_answered(client.get(url))


@pytest.mark.usefixtures("own_folders")
def test_reserved_folder_names_are_refused_in_french(client, prof):
    client.force_login(prof)
    box = prof.personal_mailbox.id
    for name in ("..", "cur", "Classes/new", "tmp", "dovecot.index", "~root"):
        response = client.post(
            reverse("mail:folders", args=[box]), {"name": name}, HTTP_ACCEPT_LANGUAGE="fr"
        )
        assert response.status_code == 200, name
        assert "réservé par le serveur" in response.text, name
    client.post(reverse("mail:folders", args=[box]), {"name": "Projets"})
    response = client.post(
        reverse("mail:folder_edit", args=[box, "Projets"]),
        {"operation": "rename", "rename-name": "INBOX"},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 200
    assert "existe déjà" in response.text


def test_a_folder_named_with_a_bracket_by_another_client_does_not_break_the_pages(
    client, prof, own_folders
):
    with imap_session(prof.username) as box:
        box.create_folder("[x")
    client.force_login(prof)
    response = client.get(reverse("mail:folder", args=[prof.personal_mailbox.id, "INBOX"]))
    assert response.status_code == 200
    assert "[x" in [entry.name for entry in response.context["folders"]]


def _deliver_raw(user, raw: bytes) -> None:
    outcome = lmtp_deliver(raw, mail_from="test@example.org", imap_users=[user.username])
    assert outcome.delivered == [user.username], outcome


def test_headers_page_shows_invalid_utf8_and_nul_headers(client, prof):
    raw = (FIXTURES / "broken-headers.eml").read_bytes()
    token = unique_subject("").strip()
    raw = raw.replace(b"broken-headers-1", token.encode())
    _deliver_raw(prof, raw)
    with imap_session(prof.username) as box:
        page = box.list_page("INBOX", page=1, page_size=500)
    uid = max(e.uid for e in page.envelopes)
    client.force_login(prof)
    box_id = prof.personal_mailbox.id
    response = client.get(reverse("mail:headers", args=[box_id, "INBOX", uid]))
    assert response.status_code == 200
    assert "X-Broken" in response.text and "\x00" not in response.text
    assert client.get(reverse("mail:message", args=[box_id, "INBOX", uid])).status_code == 200


def test_a_huge_subject_is_cut_for_display(client, prof):
    subject = "Très long " + "x" * 200_000
    deliver(prof, build_message(to=prof.email, subject=subject))
    client.force_login(prof)
    box_id = prof.personal_mailbox.id
    listing = client.get(reverse("mail:folder", args=[box_id, "INBOX"]))
    assert listing.status_code == 200 and len(listing.content) < 200_000
    uid = max(e.uid for e in listing.context["page"].envelopes)
    # The new-mail notice the open pages poll for, while the message is unread; the
    # sender urgent, so that quiet hours do not hide it whatever the clock says.
    NotificationSettings.objects.update_or_create(
        user=prof, defaults={"urgent_senders": "famille.durand@example.org"}
    )
    notice = client.get(reverse("notifications:new_mail"), {"boite": box_id, "apres": uid - 1})
    assert [len(n["subject"]) < 2_000 for n in notice.json()["notices"]] == [True]
    for name in ("message", "headers"):
        response = client.get(reverse(f"mail:{name}", args=[box_id, "INBOX", uid]))
        assert response.status_code == 200
        assert len(response.content) < 200_000, name


def test_a_huge_header_is_read_only_as_far_as_anything_shows_it():
    # The email package parses a header on each access in time that grows with its length:
    # a 2 MB subject froze the message page for minutes (make chaos). What is read is cut.
    from mail.message.parse import MAX_HEADER_CHARS, parse, read_message

    raw = (b"From: x@example.org\r\nSubject: " + b"conseil " * 250_000
           + b"\r\nReferences: <a@b>\r\n\r\ncorps\r\n")  # fmt: skip
    parsed = parse(raw)
    assert len(str(parsed["Subject"])) <= MAX_HEADER_CHARS
    assert str(parsed["References"]) == "<a@b>"
    assert read_message(raw).subject.startswith("conseil conseil")


@pytest.mark.parametrize("text", HOSTILE + ["1:*", "1,2", "-1", "99999999999", "\\Deleted"])
def test_flag_action_and_list_inputs_with_imap_syntax(client, prof, text):
    """What picks flags and messages (action, uids, filter, sort) reaches IMAP only as a
    known value or a number: a UID set like «1:*» flags nothing."""
    subject = unique_subject()
    deliver(prof, build_message(to=prof.email, subject=subject))
    uid = uid_of(prof, subject)
    client.force_login(prof)
    box = prof.personal_mailbox.id
    act = reverse("mail:act", args=[box])
    for form in ({"folder": "INBOX", "action": text, "uid": [uid]},
                 {"folder": "INBOX", "action": "flag", "uid": [text]},
                 {"folder": text, "action": "flag", "uid": [uid]}):  # fmt: skip
        assert_answered(client.post(act, form))
    folder = reverse("mail:folder", args=[box, "INBOX"])
    for field in ("filter", "sort", "order", "page"):
        assert_answered(client.get(folder, {field: text}))
    with imap_session(prof.username) as imap:
        assert "\\flagged" not in imap.flags("INBOX", uid)


def test_the_full_text_index_is_no_folder(client, prof, dovecot):
    """fts-xapian writes its index beside Dovecot's others: in the Maildir tree it showed to
    every IMAP client as a folder «xapian-indexes»."""
    token = unique_subject("").strip()
    deliver(prof, build_message(to=prof.email, subject=f"Index {token}", body=f"Mot {token}"))
    client.force_login(prof)
    folder = reverse("mail:folder", args=[prof.personal_mailbox.id, "INBOX"])
    response = client.get(folder, {"q": token})  # the search writes the index
    assert [e.subject for e in response.context["page"].envelopes] == [f"Index {token}"]
    home = dovecot.config.mail_root / prof.username
    assert any(path.name.startswith("xapian") for path in home.rglob("*")), "no index written"
    assert not any("xapian" in path.name for path in (home / "Maildir").rglob("*"))
    with imap_session(prof.username) as box:
        assert not any("xapian" in f.name.lower() for f in box.folders(refresh=True))
