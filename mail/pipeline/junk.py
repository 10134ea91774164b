"""«Indésirable», «Pas indésirable» and «Signaler un hameçonnage»: move the messages and
teach the mailbox's spam filter with what its people decide."""

import logging

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from mail.imap import InvalidRequest, imap_session
from mail.message.parse import read_message
from mail.models import Mailbox, OutgoingMessage
from mail.outgoing.compose import Composition, Upload
from mail.outgoing.sending import SenderNotAllowed, check_send_message, sender_mailboxes
from mail.pipeline import spam

logger = logging.getLogger(__name__)


def mark_junk(*, mailbox: Mailbox, folder: str, uids: list[int], is_spam: bool) -> int:
    """Move to Junk (or back to the INBOX), then train the mailbox's Bayes with each message.
    The move does not wait for the training, and a spamd outage only skips the lesson."""
    raws = _move(mailbox, folder, uids, to_junk=is_spam)
    for raw in raws:
        spam.learn(raw, imap_user=mailbox.imap_user, is_spam=is_spam)
    return len(raws)


def _move(mailbox: Mailbox, folder: str, uids: list[int], *, to_junk: bool) -> list[bytes]:
    with imap_session(mailbox.imap_user) as box:
        target = box.special_folder("junk") if to_junk else "INBOX"
        if target is None:
            raise InvalidRequest("this mailbox has no Junk folder")
        # PEEK: «Pas indésirable» must not mark as read what the person has not opened.
        found = {uid: box.fetch_raw(folder, uid, mark_seen=False) for uid in uids}
        found = {uid: raw for uid, raw in found.items() if raw is not None}
        if found:
            box.move(folder, list(found), target)
    return list(found.values())


def report_phishing(*, user, mailbox: Mailbox, folder: str, uid: int) -> OutgoingMessage:
    """Send the message, whole and as received (message/rfc822), to the académie's security
    address from the reporter's own address, then move it to Junk as spam."""
    with imap_session(mailbox.imap_user) as box:
        raw = box.fetch_raw(folder, uid, mark_seen=False)
    if raw is None:
        raise InvalidRequest("no such message")
    sender = (
        sender_mailboxes(user).filter(owner=user).first()
        or sender_mailboxes(user).filter(id=mailbox.id).first()
    )
    if sender is None:
        raise SenderNotAllowed(user.username)
    outgoing = check_send_message(
        user=user,
        mailbox=sender,
        composition=_report(user, sender, mailbox, folder, raw),
        draft={},
        delay_seconds=0,
    )
    logger.info("phishing report by %s queued as outgoing %s", user.username, outgoing.id)
    mark_junk(mailbox=mailbox, folder=folder, uids=[uid], is_spam=True)
    return outgoing


def _report(user, sender: Mailbox, mailbox: Mailbox, folder: str, raw: bytes) -> Composition:
    original = read_message(raw)
    # Whatever the sender put there, one line: it goes into our own Subject header.
    original_subject = " ".join(original.subject.split())[:200]
    # The security team reads French, whatever language the reporter uses the site in.
    with translation.override(settings.LANGUAGE_CODE):
        when = timezone.localtime(original.date).strftime("%d/%m/%Y %H:%M") if original.date else ""
        body = "\n".join(
            [
                _("%(name)s (%(login)s, %(address)s) reports the attached message as phishing.")
                % {"name": user.get_full_name(), "login": user.username, "address": sender.address},
                "",
                _("Mailbox: %(address)s, folder: %(folder)s")
                % {"address": mailbox.address, "folder": folder},
                _("Claimed sender: %(sender)s") % {"sender": original.sender},
                _("Subject: %(subject)s") % {"subject": original_subject},
                _("Date: %(date)s") % {"date": when},
                "",
                _("The original message is attached exactly as it was received."),
            ]
        )
        subject = _("[Phishing] %(subject)s") % {"subject": original_subject}
    return Composition(
        sender_name=user.get_full_name(),
        sender_address=sender.address,
        to=[settings.SECURITY_REPORT_ADDRESS],
        subject=subject,
        body=body,
        attachments=[Upload("message-signale.eml", "message/rfc822", raw)],
    )
