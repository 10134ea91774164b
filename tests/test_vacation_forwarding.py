"""Absence message (RFC 3834) and forwarding, through the real gateway, worker and Dovecot."""

from datetime import timedelta

import pytest
from django.utils import timezone

from mail.message.parse import parse
from mail.models import SpooledMessage, VacationReply
from mail.pipeline import forwarding, vacation
from mail.pipeline.spool import read_spooled
from tests.conftest import build_message, inbox_subjects, send_inbound, unique_subject, wait_for

ME = "camille.martin@ac-demo.test"


def raw(**headers) -> bytes:
    lines = {"From": "Parent <parent@example.org>", "To": ME, "Subject": "Bonjour"} | headers
    text = "".join(f"{name.replace('_', '-')}: {value}\r\n" for name, value in lines.items())
    return f"{text}\r\nBonjour.\r\n".encode()


@pytest.mark.parametrize(
    ("mail_from", "message", "reason"),
    [
        ("parent@example.org", raw(), None),
        ("parent@example.org", raw(Auto_Submitted="no"), None),
        ("parent@example.org", raw(To="Autre <autre@x.fr>", Cc=f"Moi <{ME.upper()}>"), None),
        ("", raw(), "null sender"),
        ("<>", raw(), "null sender"),
        ("parent@example.org", raw(Auto_Submitted="auto-replied"), "auto-submitted"),
        ("parent@example.org", raw(Auto_Submitted="auto-generated; x=y"), "auto-submitted"),
        ("parent@example.org", raw(Precedence="bulk"), "bulk"),
        ("parent@example.org", raw(Precedence="list"), "bulk"),
        ("parent@example.org", raw(Precedence="junk"), "bulk"),
        ("parent@example.org", raw(List_Id="<parents.example.org>"), "list"),
        ("parent@example.org", raw(List_Unsubscribe="<mailto:u@x.fr>"), "list"),
        ("parent@example.org", raw(X_Auto_Response_Suppress="OOF, AutoReply"), "suppressed"),
        ("noreply@pronote.example", raw(), "machine sender"),
        ("ne-pas-repondre@education.gouv.fr", raw(), "machine sender"),
        ("no-reply@x.fr", raw(), "machine sender"),
        ("MAILER-DAEMON@x.fr", raw(), "machine sender"),
        ("owner-parents@x.fr", raw(), "machine sender"),
        ("parents-request@x.fr", raw(), "machine sender"),
        ("parent@example.org", raw(To="tous@ac-demo.test"), "not addressed personally"),
        (ME, raw(), "own address"),
    ],
)
def test_rfc3834_who_gets_an_automatic_reply(mail_from, message, reason):
    headers = parse(message)
    assert vacation.reason_not_to_reply(headers, mail_from=mail_from, mailbox_address=ME) == reason


def test_loop_detection_reads_delivered_to_and_counts_hops():
    assert not forwarding.has_looped(parse(raw()), ME)
    assert forwarding.has_looped(parse(raw(Delivered_To=f"<{ME.upper()}>")), ME)
    many = b"".join(b"Received: from x by y;\r\n" for _ in range(forwarding.MAX_HOPS)) + raw()
    assert forwarding.has_looped(parse(many), ME)


def captured_to(address: str):
    return list(
        SpooledMessage.objects.filter(
            status=SpooledMessage.Status.CAPTURED, recipients=[address]
        ).order_by("received_at")
    )


@pytest.mark.usefixtures("mail_stack")
def test_absence_message_once_per_sender_never_to_lists(prof):
    today = timezone.localdate()
    vacation.set_vacation(
        prof.personal_mailbox,
        enabled=True,
        subject="Absente jusqu'au 3 mars",
        body="Je suis absente. Pour la vie scolaire, écrivez à vie-scolaire@ac-demo.test.",
        starts_on=today - timedelta(days=1),
        ends_on=today + timedelta(days=7),
        days=5,
        by=prof,
    )
    first = build_message(to=prof.email, subject=unique_subject("Question"))
    send_inbound(first)
    reply = wait_for(lambda: captured_to("famille.durand@example.org"))[0]
    text = read_spooled(reply).decode()
    assert reply.mail_from == ""  # RFC 5230 §5.4: never bounces back here
    assert "Auto-Submitted: auto-replied" in text
    assert f"In-Reply-To: {first['Message-ID']}" in text
    assert "Subject: Absente jusqu'au 3 mars" in text
    assert "vie-scolaire@ac-demo.test" in text

    second = build_message(to=prof.email, subject=unique_subject("Autre question"))
    listed = build_message(to=prof.email, subject=unique_subject("Lettre"), sender="info@x.fr")
    listed["List-Id"] = "<lettre.x.fr>"
    send_inbound(second)
    send_inbound(listed)
    wait_for(lambda: {second["Subject"], listed["Subject"]} <= set(inbox_subjects("prof.demo")))
    assert len(captured_to("famille.durand@example.org")) == 1
    assert captured_to("info@x.fr") == []

    # After the «days» interval, the same sender is answered again.
    VacationReply.objects.update(sent_at=timezone.now() - timedelta(days=6))
    send_inbound(build_message(to=prof.email, subject=unique_subject("Relance")))
    wait_for(lambda: len(captured_to("famille.durand@example.org")) == 2)


@pytest.mark.usefixtures("mail_stack")
def test_no_absence_message_outside_its_dates_nor_between_two_absent_colleagues(prof, colleague):
    today = timezone.localdate()
    vacation.set_vacation(
        prof.personal_mailbox,
        enabled=True,
        subject="Absent",
        body="Absent.",
        ends_on=today - timedelta(days=1),
    )
    late = build_message(to=prof.email, subject=unique_subject("Trop tard"))
    send_inbound(late)
    wait_for(lambda: late["Subject"] in inbox_subjects("prof.demo"))
    assert captured_to("famille.durand@example.org") == []

    # Both away: the first reply carries Auto-Submitted, so the other does not answer it.
    for person in (prof, colleague):
        vacation.set_vacation(
            person.personal_mailbox,
            enabled=True,
            subject=f"Absent {person.username}",
            body="Je suis absent.",
        )
    hello = build_message(to=prof.email, subject=unique_subject("Coucou"), sender=colleague.email)
    send_inbound(hello)
    wait_for(lambda: f"Absent {prof.username}" in inbox_subjects("collegue.demo"))
    wait_for(
        lambda: not SpooledMessage.objects.filter(status=SpooledMessage.Status.PENDING).exists()
    )
    assert f"Absent {colleague.username}" not in inbox_subjects("prof.demo")


@pytest.mark.usefixtures("mail_stack")
def test_forwarding_with_and_without_a_copy(prof, colleague):
    kept = forwarding.set_forwarding(
        prof.personal_mailbox, address=colleague.email, keep_copy=True, by=prof
    )
    assert kept.created_at and kept.created_by == prof
    with_copy = build_message(to=prof.email, subject=unique_subject("Copie gardée"))
    send_inbound(with_copy)
    wait_for(lambda: with_copy["Subject"] in inbox_subjects("collegue.demo"))
    assert with_copy["Subject"] in inbox_subjects("prof.demo")

    forwarding.set_forwarding(prof.personal_mailbox, address="Perso@Example.org", keep_copy=False)
    kept.delete()
    away = build_message(to=prof.email, subject=unique_subject("Sans copie"))
    send_inbound(away)
    copy = wait_for(lambda: captured_to("perso@example.org"))[0]
    text = read_spooled(copy).decode()
    assert text.startswith(f"Delivered-To: {prof.email}")
    assert copy.mail_from == "famille.durand@example.org"  # bounces go to whoever wrote
    assert away["Subject"] not in inbox_subjects("prof.demo")


@pytest.mark.usefixtures("mail_stack")
def test_forwarding_loop_is_stopped_and_the_message_kept(prof, colleague):
    forwarding.set_forwarding(prof.personal_mailbox, address=colleague.email, keep_copy=False)
    forwarding.set_forwarding(colleague.personal_mailbox, address=prof.email, keep_copy=False)
    message = build_message(to=prof.email, subject=unique_subject("Boucle"))
    send_inbound(message)
    wait_for(lambda: message["Subject"] in inbox_subjects("prof.demo"))
    wait_for(
        lambda: not SpooledMessage.objects.filter(status=SpooledMessage.Status.PENDING).exists()
    )
    # Once round the loop (prof → colleague → prof), then kept where it came back.
    assert SpooledMessage.objects.count() == 3
    assert inbox_subjects("prof.demo").count(message["Subject"]) == 1
    assert message["Subject"] not in inbox_subjects("collegue.demo")
