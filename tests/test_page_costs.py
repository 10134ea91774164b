"""What a warm inbox page and an opened message cost in SQL queries and IMAP commands, pinned:
a middleware, a context processor or a per-row lookup that adds one fails here first
(docs/benchmarks.md, «Where the time goes»)."""

import imaplib
import uuid

import imapclient
import pytest
from django.db import connection
from django.urls import reverse

from tests.call_count import counted
from tests.conftest import build_message, deliver, make_person, uid_of, unique_subject

pytestmark = pytest.mark.usefixtures("mail_stack")

# The user with their preferences, the mailbox and its access check, the folder colours, the
# header's unread notices, the inbox's drafts notice. (The sidebar's other mailboxes: none
# for someone without delegation or role grant, known from the cache, mail/access.py.)
INBOX_SQL = 5
# The folder's state for the cache and the folder tree in one LIST-STATUS.
INBOX_IMAP = ["NOOP", "LIST"]
# The same but the drafts, and the trusted sender (images shown?) once.
MESSAGE_SQL = 5
MESSAGE_IMAP = ["NOOP", "UID FETCH", "NOOP", "LIST"]
# An HTML message's frame gets the body the page has just read (views/reading.py): the user,
# the access check; no IMAP, no parsing.
FRAME_SQL = 2
FRAME_IMAP = []
# Python function calls of each request (sys.setprofile, C functions included; through the
# test client, which adds its own), about an eighth above what was measured, for library
# upgrades: a template loop, a middleware or a per-row lookup of thousands of calls fails
# here. Measured on a one-message inbox: 18,250, 21,900 and 5,400 calls.
INBOX_CALLS = 20_500
MESSAGE_CALLS = 24_500
FRAME_CALLS = 6_500


@pytest.fixture
def costs(monkeypatch):
    """Every SQL statement and IMAP command sent while the block runs."""
    seen = {"sql": [], "imap": []}
    command, raw_command = imaplib.IMAP4._command, imapclient.IMAPClient._raw_command

    def imap(self, name, *args):
        seen["imap"].append(f"UID {args[0]}" if name == "UID" else name)
        return command(self, name, *args)

    def raw(self, name, args, uid=True):
        seen["imap"].append(("UID " if uid else "") + name.decode())
        return raw_command(self, name, args, uid)

    def sql(execute, statement, params, many, context):
        seen["sql"].append(statement)
        return execute(statement, params, many, context)

    monkeypatch.setattr(imaplib.IMAP4, "_command", imap)
    monkeypatch.setattr(imapclient.IMAPClient, "_raw_command", raw)
    with connection.execute_wrapper(sql):
        yield seen


def warm_then_measure(client, url, costs) -> dict:
    for _ in range(2):  # the folder cache, the session's «last seen», the IMAP pool
        assert client.get(url).status_code == 200
    costs["sql"].clear()
    costs["imap"].clear()
    response, calls = counted(client.get, url)
    assert response.status_code == 200
    return costs | {"calls": calls, "response": response}


def test_a_warm_inbox_page_an_opened_message_and_its_frame_cost_what_they_did(client, costs):
    # A person of their own: the page's calls grow with the folders in the sidebar, and the
    # personas' mailboxes hold the folders other tests made (45,000 calls seen in a full run).
    prof = make_person(f"couts.{uuid.uuid4().hex[:8]}")
    subject = unique_subject()
    message = build_message(to=prof.email, subject=subject)
    message.add_alternative("<p>Bonjour <b>Camille</b></p>", subtype="html")
    deliver(prof, message)
    client.force_login(prof)
    box = prof.personal_mailbox.id

    seen = warm_then_measure(client, reverse("mail:folder", args=[box, "INBOX"]), costs)
    assert (len(seen["sql"]), seen["imap"]) == (INBOX_SQL, INBOX_IMAP), seen["sql"]
    assert seen["calls"] < INBOX_CALLS, seen["calls"]

    url = reverse("mail:message", args=[box, "INBOX", uid_of(prof, subject)])
    seen = warm_then_measure(client, url, costs)
    assert (len(seen["sql"]), seen["imap"]) == (MESSAGE_SQL, MESSAGE_IMAP), seen["sql"]
    assert seen["calls"] < MESSAGE_CALLS, seen["calls"]

    frame = seen["response"].text.split('class="cv-body-frame"')[1].split('src="')[1]
    seen = warm_then_measure(client, frame.split('"')[0].replace("&amp;", "&"), costs)
    assert (len(seen["sql"]), seen["imap"]) == (FRAME_SQL, FRAME_IMAP), seen["sql"]
    assert seen["calls"] < FRAME_CALLS, seen["calls"]
    assert "Bonjour <b>Camille</b>" in seen["response"].text
