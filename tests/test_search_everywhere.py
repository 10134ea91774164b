"""The search over one folder or every folder, against the real Dovecot and its full-text
index (mail/imap/search.py): exact counts past 1,000 hits, one order by date across folders
with pages that neither repeat nor skip, the cache that spares page 2 a second search, the
«at least N» of an unfinished attachment count, and hostile strings."""

import imaplib
import re
import uuid
from datetime import UTC, datetime, timedelta

import imapclient
import pytest
from django.conf import settings
from django.urls import reverse

from accounts.models import Preferences
from mail.imap import search as search_module
from tests.conftest import build_message, make_person

pytestmark = pytest.mark.usefixtures("mail_stack")

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
def reader(transactional_db):
    """A person of their own: the personas' mailboxes outlive each test, and counts must be
    exact here."""
    return make_person(f"cherche.{uuid.uuid4().hex[:8]}", first_name="Claire")


def append_many(login: str, folder: str, messages: list[tuple[datetime, bytes]]) -> None:
    """Many messages in one MULTIAPPEND (RFC 3502): one command, indexed by Dovecot as it
    stores them; a delivery per message would take minutes for a thousand."""
    client = imapclient.IMAPClient(
        settings.IMAP_HOST, port=settings.IMAP_PORT, ssl=False, timeout=120
    )
    client.login(f"{login}*{settings.DOVECOT_MASTER_USER}", settings.DOVECOT_MASTER_SECRET)
    try:
        if not client.folder_exists(folder):
            client.create_folder(folder)
        for start in range(0, len(messages), 500):
            batch = messages[start : start + 500]
            client.multiappend(folder, [{"msg": raw, "date": when} for when, raw in batch])
        # A full-text search indexes what the index lacks first: done here, with a patient
        # client, rather than by the page under the webmail's IMAP timeout.
        client.select_folder(folder, readonly=True)
        client.search(["TEXT", "indexation"])
    finally:
        client.logout()


def message(user, subject: str, when: datetime, body: str, attachment: bool = False) -> bytes:
    built = build_message(to=user.email, subject=subject, body=body, date=when)
    if attachment:
        built.add_attachment(
            b"%PDF-1.4\n%%EOF\n", maintype="application", subtype="pdf", filename="sortie.pdf"
        )
    return built.as_bytes()


def search(client, user, **params):
    return client.get(reverse("mail:search", args=[user.personal_mailbox.id]), params)


def test_more_than_a_thousand_hits_are_counted_exactly(client, reader):
    word = f"mot{uuid.uuid4().hex[:8]}"
    inbox = [
        (
            START + timedelta(minutes=i),
            message(
                reader,
                f"Conseil {i}",
                START + timedelta(minutes=i),
                f"Compte rendu {word} numéro {i}",
            ),
        )
        for i in range(1150)
    ]
    inbox += [(START, message(reader, f"Autre {i}", START, "Rien à voir")) for i in range(20)]
    archive = [
        (START + timedelta(hours=i), message(reader, f"Archive {i}", START + timedelta(hours=i),
                                             f"Ancien {word}"))
        for i in range(60)
    ]  # fmt: skip
    append_many(reader.username, "INBOX", inbox)
    append_many(reader.username, "Archive", archive)
    client.force_login(reader)

    everywhere = search(client, reader, text=word, HTTP_ACCEPT_LANGUAGE="fr")
    assert everywhere.context["page"].total == 1210
    assert everywhere.context["page"].exact
    assert re.search(r"1[\s\u202f\xa0]?210 messages trouvés", everywhere.text)
    one_folder = search(client, reader, text=word, folder="Archive")
    assert one_folder.context["page"].total == 60
    assert {e.folder for e in one_folder.context["page"].envelopes} == {"Archive"}
    quick = client.get(reverse("mail:folder", args=[reader.personal_mailbox.id, "INBOX"]),
                       {"q": word})  # fmt: skip
    assert quick.context["page"].total == 1150
    # The newest first: the archive's last messages are days after the INBOX's.
    first = everywhere.context["page"].envelopes[0]
    assert (first.folder, first.subject) == ("Archive", "Archive 59")


def test_pages_follow_one_date_order_across_folders_without_repeats_or_gaps(client, reader):
    prefs = Preferences.of(reader)
    prefs.page_size = 25
    prefs.save()
    word = f"mot{uuid.uuid4().hex[:8]}"
    inbox, projects = [], []
    for i in range(70):  # interleaved dates, and some the same minute in both folders
        when = START + timedelta(minutes=3 * i)
        inbox.append((when, message(reader, f"I{i}", when, f"Sortie {word}")))
        if i % 5 == 0:
            projects.append((when, message(reader, f"P{i}=", when, f"Projet {word}")))
        else:
            later = when + timedelta(minutes=1)
            projects.append((later, message(reader, f"P{i}", later, f"Projet {word}")))
    append_many(reader.username, "INBOX", inbox)
    append_many(reader.username, "Projets", projects)
    client.force_login(reader)

    seen, dates, total = [], [], None
    for number in range(1, 8):
        page = search(client, reader, text=word, page=number).context["page"]
        total = page.total
        seen += [(e.folder, e.uid) for e in page.envelopes]
        dates += [e.date for e in page.envelopes]
        if number * 25 >= total:
            break
    assert total == 140
    assert len(seen) == len(set(seen)) == 140
    assert dates == sorted(dates, reverse=True)
    assert {folder for folder, _ in seen} == {"INBOX", "Projets"}


def test_page_two_does_not_search_again(client, reader, monkeypatch):
    word = f"mot{uuid.uuid4().hex[:8]}"
    append_many(reader.username, "INBOX", [
        (START + timedelta(minutes=i), message(reader, f"S{i}", START + timedelta(minutes=i), word))
        for i in range(80)
    ])  # fmt: skip
    client.force_login(reader)
    assert search(client, reader, text=word).context["page"].total == 80
    commands = []
    command, raw_command = imaplib.IMAP4._command, imapclient.IMAPClient._raw_command

    def spy(self, name, *args):
        commands.append(f"UID {args[0]}" if name == "UID" else name)
        return command(self, name, *args)

    def raw_spy(self, name, args, uid=True):
        commands.append(("UID " if uid else "") + name.decode())
        return raw_command(self, name, args, uid)

    monkeypatch.setattr(imaplib.IMAP4, "_command", spy)
    monkeypatch.setattr(imapclient.IMAPClient, "_raw_command", raw_spy)
    second = search(client, reader, text=word, page=2).context["page"]
    assert [e.subject for e in second.envelopes] == [f"S{i}" for i in range(29, -1, -1)]
    assert "UID SORT" not in commands and "UID SEARCH" not in commands, commands
    # New mail in the folder: its state changed, it is searched again.
    append_many(reader.username, "INBOX", [(START, message(reader, "Nouveau", START, word))])
    commands.clear()
    assert search(client, reader, text=word).context["page"].total == 81
    assert "UID SORT" in commands


def test_an_unfinished_attachment_count_says_so_in_french(client, reader, monkeypatch):
    monkeypatch.setattr(search_module, "COUNT_EXAMINED_LIMIT", 20)
    monkeypatch.setattr(search_module, "_EXAMINE_CHUNK", 10)
    word, rare = (f"mot{uuid.uuid4().hex[:8]}" for _ in range(2))
    append_many(reader.username, "INBOX", [
        (START + timedelta(minutes=i),
         message(reader, f"A{i}", START + timedelta(minutes=i),
                 f"{word} {rare}" if i == 10 else word, attachment=i % 2 == 0))
        for i in range(240)
    ])  # fmt: skip
    client.force_login(reader)
    response = search(client, reader, text=word, with_attachments="on", HTTP_ACCEPT_LANGUAGE="fr")
    page = response.context["page"]
    assert not page.exact and page.unexamined > 20
    assert page.total >= 50 and all(e.has_attachments for e in page.envelopes)
    assert f"Au moins {page.total} messages trouvés" in response.text
    assert "n’ont pas été ouverts" in response.text
    # Narrower (one subject): few candidates, all examined, the count is exact again.
    narrow = search(client, reader, text=rare, with_attachments="on").context["page"]
    assert narrow.exact and [e.subject for e in narrow.envelopes] == ["A10"]


HOSTILE = [
    '") UID STORE 1:* +FLAGS (\\Deleted',
    "{5}\r\nxxxxx",
    'INBOX" (',
    "*",
    "%",
    "é" * 300,
    "\x00",
    "../../etc",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_strings_never_fail_nor_reach_imap_as_syntax(client, reader, text):
    client.force_login(reader)
    for params in ({"text": text}, {"text": "sortie", "folder": text}, {"subject": text}):
        response = search(client, reader, **params)
        assert response.status_code == 200, params


def test_imap_syntax_in_the_words_is_searched_as_text_in_every_folder(client, reader):
    token = uuid.uuid4().hex[:10]
    subject = f'Sortie ({token}) {{5}} "y"'
    append_many(reader.username, "Archive", [(START, message(reader, subject, START, token))])
    client.force_login(reader)
    for text in (f"({token}", f'"{token}"', f"{token})"):
        page = search(client, reader, text=text).context["page"]
        assert [e.subject for e in page.envelopes] == [subject], text


def test_cached_results_are_never_another_persons(client, reader):
    other = make_person(f"cherche.{uuid.uuid4().hex[:8]}", first_name="Paul")
    word = f"mot{uuid.uuid4().hex[:8]}"
    append_many(reader.username, "INBOX", [(START, message(reader, "Privé", START, word))])
    client.force_login(reader)
    assert search(client, reader, text=word).context["page"].total == 1
    client.force_login(other)
    assert search(client, other, text=word).context["page"].total == 0
