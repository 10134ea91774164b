"""Shared mailboxes in tests: the vie scolaire mailbox, its administrator, and helpers to
put mail in it and give rights (used by test_shared_mailboxes*.py)."""

import uuid

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.models import User
from mail.imap import imap_session
from mail.models import Mailbox, MailboxMember
from mail.transport.lmtp import lmtp_deliver
from tests.conftest import build_message, make_person

VIE_SCOLAIRE = "vie-scolaire.0311234y"
ALL_RIGHTS = ("can_read", "can_manage", "can_send_as", "can_send_on_behalf", "can_administer")


@pytest.fixture
def secretary(transactional_db):
    return make_person("secretariat.demo", category=User.Category.ADMIN_STAFF,
                       first_name="Sophie", last_name="Lambert")  # fmt: skip


@pytest.fixture
def shared_box(secretary):
    return Mailbox.objects.create(
        address=f"{VIE_SCOLAIRE}@{settings.MAIL_DOMAIN}", imap_user=VIE_SCOLAIRE,
        display_name="Vie scolaire – Lycée", kind=Mailbox.Kind.FUNCTIONAL,
        etablissement=secretary.etablissement,
    )  # fmt: skip


def deliver_to(mailbox: Mailbox, subject: str, **extra) -> int:
    message = build_message(to=mailbox.address, subject=subject, **extra)
    outcome = lmtp_deliver(message.as_bytes(), mail_from="famille@example.org",
                           imap_users=[mailbox.imap_user])  # fmt: skip
    assert outcome.delivered == [mailbox.imap_user]
    return uid_in(mailbox, subject)


def uid_in(mailbox: Mailbox, subject: str, folder: str = "INBOX") -> int:
    with imap_session(mailbox.imap_user) as box:
        page = box.list_page(folder, page=1, page_size=500)
    return next(e.uid for e in page.envelopes if e.subject == subject)


def subjects_in(mailbox: Mailbox, folder: str) -> list[str]:
    with imap_session(mailbox.imap_user) as box:
        return [e.subject for e in box.list_page(folder, page=1, page_size=500).envelopes]


def grant(mailbox, user, **rights) -> MailboxMember:
    values = dict.fromkeys(ALL_RIGHTS, False) | rights
    return MailboxMember.objects.create(mailbox=mailbox, user=user, **values)


def compose(client, mailbox, **fields):
    data = {"sender": mailbox.id, "to": "parent@example.org", "subject": "Réponse",
            "body": "Bonjour", "draft_key": str(uuid.uuid4())} | fields
    return client.post(reverse("mail:compose"), data)
