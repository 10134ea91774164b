"""Delivery status notifications (RFC 3464): the sender hears of a recipient that will never get
the message, once, in French and English; machines, lists and notifications get none."""

import smtplib
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings

from devstack.loopback import free_port
from mail.models import Mailbox, SpooledMessage
from mail.pipeline import bounces
from mail.pipeline.context import DeliveryContext
from mail.pipeline.stages import external
from tests.conftest import (
    PASSWORD,
    build_message,
    inbox_subjects,
    send_inbound,
    unique_subject,
    wait_for,
)


def _spooled(**fields) -> SpooledMessage:
    return SpooledMessage(mail_from="famille.durand@example.org", size=1, **fields)


@pytest.mark.parametrize(("mail_from", "extra", "reason"), [
    ("", {}, "null sender"),
    ("MAILER-DAEMON@example.org", {}, "machine sender"),
    ("liste-bounces@example.org", {}, "machine sender"),
    ("famille.durand@example.org", {"List-Id": "<parents.example.org>"}, "list"),
    ("famille.durand@example.org", {}, None),
])  # fmt: skip
def test_who_gets_a_notification(mail_from, extra, reason):
    message = build_message(to="prof.demo@ac-demo.test", subject="Sortie")
    for name, value in extra.items():
        message[name] = value
    assert bounces.reason_not_to_bounce(message, mail_from=mail_from) == reason


def test_a_notification_is_never_answered_by_another():
    message = _spooled(recipients=["x@ac-demo.test"])
    original = build_message(to="x@ac-demo.test", subject="Sortie")
    notice = bounces.build_notification(message, original, original.as_bytes(),
                                        {"x@ac-demo.test": "no such mailbox"})  # fmt: skip
    parsed = message_from_bytes(notice.as_bytes(policy=policy.SMTP), policy=policy.default)
    assert bounces.reason_not_to_bounce(parsed, mail_from="someone@example.org") == "a report"


def test_the_notification_reads_in_both_languages_and_as_rfc_3464():
    message = _spooled(recipients=["a@example.org", "b@example.org"])
    original = build_message(to="a@example.org", subject="Conseil de classe")
    notice = bounces.build_notification(message, original, original.as_bytes(), {
        "a@example.org": "550 5.1.1 <a@example.org>: Recipient address rejected",
        "b@example.org": "no such mailbox"})  # fmt: skip
    parsed = message_from_bytes(notice.as_bytes(policy=policy.SMTP), policy=policy.default)
    assert parsed.get_content_type() == "multipart/report"
    assert parsed.get_param("report-type") == "delivery-status"
    text, status, headers = parsed.get_payload()
    body = text.get_content()
    assert "n'a pas pu être remis" in body and "could not be delivered" in body
    assert "Conseil de classe" in body
    assert status.get_content_type() == "message/delivery-status"
    blocks = status.get_payload()
    assert blocks[0]["Reporting-MTA"] == f"dns; {settings.MAIL_DOMAIN}"
    assert [(b["Final-Recipient"], b["Action"], b["Status"]) for b in blocks[1:]] == [
        ("rfc822; a@example.org", "failed", "5.1.1"),
        ("rfc822; b@example.org", "failed", "5.1.1"),
    ]
    assert headers.get_content_type() == "text/rfc822-headers"
    assert "Subject: Conseil de classe" in headers.get_payload()
    assert "Bonjour" not in headers.get_payload()  # the headers only, never the body


def test_a_temporary_refusal_of_the_smarthost_is_tried_again(monkeypatch, settings):
    settings.SMARTHOST = "127.0.0.1:1"
    later = {"a@example.org": "451 4.3.0 Try later"}
    monkeypatch.setattr(external.smtp, "relay", lambda raw, **kw: later)
    message = _spooled(recipients=["a@example.org"])
    context = DeliveryContext(message=message, raw=b"", local=[], external=["a@example.org"],
                              done=set(), unsure=set())  # fmt: skip
    external.process(context)
    assert context.deferred


class Smarthost:
    """A real SMTP peer on loopback: accepts everyone but «refuse.*» (550 5.1.1)."""

    def __init__(self):
        self.received: list[tuple[str, list[str], bytes]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("refuse."):
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append((envelope.mail_from, envelope.rcpt_tos, envelope.content))
        return "250 OK"


@pytest.fixture
def smarthost(mail_stack, worker):
    handler = Smarthost()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    worker.stop()
    worker.env["SMARTHOST"] = f"127.0.0.1:{controller.port}"
    yield handler, worker
    worker.stop()
    worker.env.pop("SMARTHOST")
    worker.start()
    controller.stop()


def test_a_smarthost_refusal_comes_back_to_the_teacher_who_wrote(smarthost, prof):
    handler, worker = smarthost
    worker.start()
    subject = unique_subject("Sortie au musée")
    message = build_message(to="parent@example.org", subject=subject, sender=prof.email)
    with smtplib.SMTP(settings.GATEWAY_HOST, settings.GATEWAY_SUBMISSION_PORT) as smtp:
        smtp.login(prof.username, PASSWORD)
        smtp.send_message(message, to_addrs=["parent@example.org", "refuse.parent@example.org"])
    # The worker records the notice as delivered just after Dovecot has stored it: both waited.
    wait_for(lambda: "Message non remis / Undelivered message" in inbox_subjects("prof.demo")
             and handler.received and SpooledMessage.objects.filter(
                 mail_from="", recipients=[prof.email],
                 status=SpooledMessage.Status.DELIVERED).exists())  # fmt: skip
    notice = SpooledMessage.objects.get(mail_from="", recipients=[prof.email])
    assert notice.status == SpooledMessage.Status.DELIVERED
    assert [rcpts for _, rcpts, _ in handler.received] == [["parent@example.org"]]


def test_a_mailbox_gone_after_acceptance_is_reported_once_to_the_outside_sender(
    smarthost, prof, colleague
):
    handler, worker = smarthost
    subject = unique_subject("Réunion parents")
    # Accepted while both mailboxes exist; the colleague's is gone before the worker comes.
    send_inbound(build_message(to=prof.email, subject=subject),
                 to=[prof.email, colleague.email])  # fmt: skip
    Mailbox.objects.filter(address=colleague.email).delete()
    worker.start()
    wait_for(lambda: handler.received)
    [(mail_from, rcpts, raw)] = handler.received
    assert (mail_from, rcpts) == ("<>", ["famille.durand@example.org"])
    assert colleague.email.encode() in raw and subject.split()[-1].encode() in raw
    assert subject in inbox_subjects("prof.demo")
    original = SpooledMessage.objects.exclude(mail_from="").get()
    # A retry of the same delivery sends no second notification.
    assert not bounces.bounce_if_due(original, build_message(to=prof.email, subject=subject),
                                     b"", {colleague.email: "no such mailbox"})  # fmt: skip
