"""Every Date form of RFC 5322 and its obsolete syntax opens, answers and forwards, at the
same instant in the list and on the message page."""

import re
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.urls import reverse

from mail.imap.dates import parse_date
from mail.message.parse import read_message
from mail.transport.lmtp import lmtp_deliver
from tests.conftest import make_person, uid_of

FIXTURES = Path(__file__).parent / "fixtures" / "mail"
DATED = sorted(path.name for path in FIXTURES.glob("date-*.eml"))
# Every fixture was written on 1 October 2026 at 08:26 in Paris (summer time).
INSTANT = datetime(2026, 10, 1, 6, 26, tzinfo=UTC)


@pytest.mark.parametrize("name", DATED)
def test_every_form_is_read_as_the_same_instant(name):
    assert read_message((FIXTURES / name).read_bytes()).date == INSTANT


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Fri, 19 Nov 82 16:14:55 EST", datetime(1982, 11, 19, 21, 14, 55, tzinfo=UTC)),
        ("1 Jan 49 00:00 +0000", datetime(2049, 1, 1, tzinfo=UTC)),
        ("1 Jan 50 00:00 +0000", datetime(1950, 1, 1, tzinfo=UTC)),
        ("Thu, 1 Oct 2026 08:26:60 +0200", datetime(2026, 10, 1, 6, 26, 59, tzinfo=UTC)),
        ("Thu, 1 Oct 2026 08:26:00 PDT", datetime(2026, 10, 1, 15, 26, tzinfo=UTC)),
        ("Thu, 32 Oct 2026 08:26:00 +0200", None),
        ("Thu, 1 Oct 2026 25:26:00 +0200", None),
        # Past the calendar's ends once the zone is applied, or in the reader's zone: unreadable.
        ("Fri, 31 Dec 9999 23:59:59 -1200", None),
        ("Fri, 31 Dec 9999 10:00:00 +0000", None),
        ("0001-01-01T00:00:00+14:00", None),
        ("Mon, 1 Jan 1000 00:00:00 +1400", datetime(999, 12, 31, 10, tzinfo=UTC)),
        ("", None),
        (None, None),
    ],
)
def test_edge_values(value, expected):
    assert parse_date(value) == expected


def _deliver_fixture(user, name: str, date: bytes | None = None) -> str:
    subject = f"Sortie {uuid.uuid4().hex[:10]}"
    raw = (FIXTURES / name).read_bytes()
    if date is not None:
        raw = re.sub(rb"(?m)^Date: .*$", b"Date: " + date + b"\r", raw)
    raw = re.sub(rb"(?m)^Subject: .*$", f"Subject: {subject}\r".encode(), raw)
    raw = re.sub(rb"(?m)^Message-ID: .*$", f"Message-ID: <{subject[7:]}@x.org>\r".encode(), raw)
    outcome = lmtp_deliver(raw, mail_from="test@example.org", imap_users=[user.username])
    assert outcome.delivered == [user.username]
    return subject


@pytest.mark.usefixtures("mail_stack")
@pytest.mark.parametrize("name", DATED)
def test_every_form_opens_answers_and_forwards(client, prof, name):
    subject = _deliver_fixture(prof, name)
    client.force_login(prof)
    box = prof.personal_mailbox.id
    uid = uid_of(prof, subject)

    listing = client.get(reverse("mail:folder", args=[box, "INBOX"]))
    listed = next(e for e in listing.context["page"].envelopes if e.uid == uid)
    page = client.get(reverse("mail:message", args=[box, "INBOX", uid]))
    assert page.status_code == 200
    if name == "date-garbage.eml":  # both show when it arrived: INTERNALDATE, Received
        assert abs(listed.date - page.context["message"].date).total_seconds() <= 2
    else:
        assert listed.date == page.context["message"].date == INSTANT

    compose = reverse("mail:compose")
    for mode in ("reponse", "tous", "transfert", "transfert-pj"):
        answer = client.get(compose, {"uid": uid, "dossier": "INBOX", "boite": box, "mode": mode})
        assert answer.status_code == 200, mode
    query = {"uid": uid, "dossier": "INBOX", "boite": box, "mode": "transfert"}
    forward = client.get(compose, query)
    if name != "date-garbage.eml":
        assert "08:26" in forward.context["form"].initial["body"]  # Paris time, summer


@pytest.mark.usefixtures("mail_stack")
def test_a_date_past_the_calendars_end_breaks_nothing(client):
    """Read as no date: the list, the page and the answer show when it arrived instead."""
    # A person of their own: the personas' INBOXes are read by other tests' IMAP helpers,
    # which a year 9999 would break (imapclient's own date conversion overflows).
    prof = make_person(f"dates.{uuid.uuid4().hex[:8]}")
    subject = _deliver_fixture(prof, "date-minus-zero.eml", b"Fri, 31 Dec 9999 23:59:59 -1200")
    client.force_login(prof)
    box = prof.personal_mailbox.id
    uid = uid_of(prof, subject)
    assert client.get(reverse("mail:folder", args=[box, "INBOX"])).status_code == 200
    page = client.get(reverse("mail:message", args=[box, "INBOX", uid]))
    assert page.status_code == 200 and page.context["message"].date.year == datetime.now().year
    query = {"uid": uid, "dossier": "INBOX", "boite": box, "mode": "reponse"}
    assert client.get(reverse("mail:compose"), query).status_code == 200
