"""At-least-once delivery without duplicates: a worker killed after Dovecot stored a message
but before it recorded it, a lost broker queue, a Dovecot outage in that window."""

from datetime import date, timedelta

import pytest
import redis
from django.conf import settings

from mail.imap import close_all_sessions, imap_session
from mail.models import Rule, SpooledMessage
from mail.pipeline.context import DELIVERY_HEADER
from mail.transport.lmtp import lmtp_deliver
from tests.conftest import build_message, make_person, send_inbound, unique_subject, wait_for

pytestmark = pytest.mark.usefixtures("mail_stack")


def copies(person, subject: str, folder: str = "INBOX") -> int:
    with imap_session(person.username) as box:
        if folder not in {f.name for f in box.folders(refresh=True)}:
            return 0
        page = box.list_page(folder, page=1, page_size=200)
    return [e.subject for e in page.envelopes].count(subject)


@pytest.fixture
def people(prof, colleague):
    return [prof, colleague, make_person("documentaliste.demo")]


@pytest.fixture
def pausing_worker(worker):
    """The worker, made to wait between Dovecot storing a message and recording it."""
    worker.stop()
    worker.env["DELIVERY_FAULT_PAUSE_SECONDS"] = "120"
    worker.start()
    yield worker
    worker.stop()
    worker.env.pop("DELIVERY_FAULT_PAUSE_SECONDS")
    worker.start()


def send_to(people, prefix: str) -> str:
    subject = unique_subject(prefix)
    send_inbound(build_message(to=people[0].email, subject=subject), to=[p.email for p in people])
    return subject


def caught_in_the_window(people, subject: str) -> SpooledMessage:
    """Every copy is in Dovecot, none is recorded: the worker pauses in the crash window."""
    wait_for(lambda: all(copies(p, subject) == 1 for p in people))
    spooled = SpooledMessage.objects.get()
    assert spooled.delivered_to == []
    assert spooled.in_flight == sorted(p.email for p in people)
    return spooled


def assert_delivered_once(people, subject: str, spooled: SpooledMessage) -> None:
    wait_for(
        lambda: SpooledMessage.objects.get(id=spooled.id).status == SpooledMessage.Status.DELIVERED,
        timeout=90,
    )
    spooled.refresh_from_db()
    assert sorted(spooled.delivered_to) == sorted(p.email for p in people)
    assert spooled.in_flight == []
    assert [copies(p, subject) for p in people] == [1] * len(people)


def test_the_delivery_stamp_is_found_in_its_header_only(prof):
    """Not through the full-text index (fts-xapian with fts_enforced finds nothing by SEARCH
    HEADER on this header), and never the same text in a body or another header."""
    stamp = "0d6f1c2e-5b0a-4c1e-9a47-3f2b1c9d8e70"
    stamped = build_message(to=prof.email, subject=unique_subject())
    stamped[DELIVERY_HEADER] = stamp
    in_body = build_message(to=prof.email, subject=unique_subject(), body=f"Réf. {stamp}-2\n")
    for message in (stamped, in_body):
        lmtp_deliver(message.as_bytes(), mail_from="t@example.org", imap_users=[prof.username])
    today = date.today()
    with imap_session(prof.username) as box:
        assert box.holds_header("INBOX", DELIVERY_HEADER, stamp, since=today)
        assert not box.holds_header("INBOX", DELIVERY_HEADER, f"{stamp}-2", since=today)
        assert not box.holds_header("INBOX", "Subject", stamp, since=today)
        assert not box.holds_header(
            "INBOX", DELIVERY_HEADER, stamp, since=today + timedelta(days=2)
        )
        assert not box.holds_header("Dossier inexistant", DELIVERY_HEADER, stamp, since=today)


def test_worker_killed_after_dovecot_stored_the_message_delivers_no_second_copy(
    pausing_worker, people
):
    subject = send_to(people, "Sortie scolaire")
    spooled = caught_in_the_window(people, subject)
    pausing_worker.kill()  # SIGKILL to its whole process group, beat included
    pausing_worker.env["DELIVERY_FAULT_PAUSE_SECONDS"] = "0"
    pausing_worker.start()
    assert_delivered_once(people, subject, spooled)
    with imap_session(people[0].username) as box:
        assert box.holds_header("INBOX", DELIVERY_HEADER, str(spooled.id), since=date.today())


def test_lost_broker_queue_is_made_good_by_the_sweep_exactly_once(worker, people):
    worker.kill()
    try:
        subject = send_to(people, "Réunion parents-professeurs")
        spooled = SpooledMessage.objects.get()
        broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
        broker.flushdb()  # as a Redis restarted without its data: the task is gone
        assert broker.dbsize() == 0
    finally:
        worker.start()
    assert_delivered_once(people, subject, spooled)


def test_dovecot_down_in_the_window_waits_for_it_then_delivers_once(
    pausing_worker, people, dovecot
):
    subject = send_to(people, "Conseil d'administration")
    spooled = caught_in_the_window(people, subject)
    dovecot.stop()
    close_all_sessions()
    try:
        pausing_worker.kill()
        pausing_worker.env["DELIVERY_FAULT_PAUSE_SECONDS"] = "0"
        pausing_worker.start()
        # Retries cannot tell whether the copies are there: they wait, storing nothing.
        wait_for(lambda: SpooledMessage.objects.get(id=spooled.id).attempts >= 2, timeout=60)
        spooled.refresh_from_db()
        assert spooled.status == SpooledMessage.Status.PENDING
        assert spooled.delivered_to == []
        assert spooled.in_flight == sorted(p.email for p in people)
    finally:
        dovecot.start()
    assert_delivered_once(people, subject, spooled)


def test_killed_while_storing_by_append_into_rule_folders_stores_no_second_copy(
    pausing_worker, prof
):
    """A recipient whose rule keeps a copy in a folder: stored by IMAP APPEND, twice."""
    Rule.objects.create(
        mailbox=prof.personal_mailbox,
        name="Sorties",
        conditions=[{"field": "subject", "op": "contains", "value": "Sortie"}],
        actions=[{"type": "copy", "value": "Sorties"}],
    )
    subject = send_to([prof], "Sortie au musée")
    wait_for(lambda: copies(prof, subject) == copies(prof, subject, "Sorties") == 1)
    spooled = SpooledMessage.objects.get()
    assert spooled.in_flight == [prof.email] and spooled.delivered_to == []
    pausing_worker.kill()
    pausing_worker.env["DELIVERY_FAULT_PAUSE_SECONDS"] = "0"
    pausing_worker.start()
    assert_delivered_once([prof], subject, spooled)
    assert copies(prof, subject, "Sorties") == 1
