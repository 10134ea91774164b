"""The mail app's tables, one module per job; Django finds them all here.

Mailboxes (each a real Dovecot user) and who may open them, the gateway's spool, what is
written on the web, what happens at delivery, and the bytes every node reads (stored.py:
spooled messages, files sent as links, uploads kept between two requests)."""

from mail.models.delivery_rules import Forwarding, Rule, RuleRun, Vacation, VacationReply
from mail.models.mailboxes import FolderColour, Mailbox, MailboxMember, TrustedSender
from mail.models.spool import SpooledMessage
from mail.models.stored import KeptUpload, KeptUploadChunk, SharedFileChunk, SpoolChunk
from mail.models.writing import (
    DraftBackup,
    MessageTemplate,
    OutgoingMessage,
    ReadReceipt,
    SharedFile,
    Signature,
)
from mail.models.writing import _share_token as _share_token  # migration 0005 names it here

__all__ = [
    "DraftBackup",
    "FolderColour",
    "Forwarding",
    "KeptUpload",
    "KeptUploadChunk",
    "Mailbox",
    "MailboxMember",
    "MessageTemplate",
    "OutgoingMessage",
    "ReadReceipt",
    "Rule",
    "RuleRun",
    "SharedFile",
    "SharedFileChunk",
    "Signature",
    "SpoolChunk",
    "SpooledMessage",
    "TrustedSender",
    "Vacation",
    "VacationReply",
]
