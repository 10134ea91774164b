"""Messages written on the web: waiting to leave, draft backups, signatures, templates, files
sent as links, read receipts received."""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mail.models.mailboxes import Mailbox


class OutgoingMessage(models.Model):
    """A message written in the web app, from «Envoyer» until the gateway has it and a copy
    is in the Sent folder. Kept in the database so no restart or outage loses it."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting to be sent")
        CANCELLED = "cancelled", _("Cancelled")
        SUBMITTED = "submitted", _("Sent; saving a copy")
        SENT = "sent", _("Sent")
        REFUSED = "refused", _("Refused by the mail server")

    class Schedule(models.TextChoices):
        NONE = "", _("Leaving now")
        CHOSEN = "chosen", _("Scheduled")
        HELD = "held", _("Held until working hours")

    class Kind(models.TextChoices):
        MESSAGE = "message", _("Message")
        RECEIPT = "receipt", _("Read receipt")
        DIGEST = "digest", _("Daily digest")
        IMIP = "imip", _("Invitation or answer from the agenda")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    # None: a room's answer, from the room's address (it has no mailbox; calendar_app.room_mail).
    mailbox = models.ForeignKey(Mailbox, on_delete=models.CASCADE, null=True, blank=True)
    message_id = models.CharField(max_length=255, unique=True)
    subject = models.CharField(max_length=998, blank=True)
    mail_from = models.EmailField()
    recipients = models.JSONField(default=list)
    raw = models.BinaryField()
    draft = models.JSONField(default=dict)  # what the form held, to reopen it after «annuler»
    send_after = models.DateTimeField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.WAITING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Why it waits past the «annuler» delay; scheduled ones are queued by the beat when due.
    schedule = models.CharField(max_length=8, choices=Schedule.choices, blank=True, default="")
    # Receipts, digests and the agenda's iMIP are not the user's writing: no copy in Sent,
    # not in «À envoyer».
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.MESSAGE)
    # A task holds the message while it submits it, so two tasks never submit it both.
    claimed_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "send_after"])]

    def __str__(self) -> str:
        return f"{self.subject} ({self.status})"


class DraftBackup(models.Model):
    """The last autosave of a message being written, so a Dovecot blip or an expired session
    never loses a line; the IMAP Drafts folder holds the same draft for other clients."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    mailbox = models.ForeignKey(Mailbox, on_delete=models.CASCADE)
    key = models.UUIDField(default=uuid.uuid4, unique=True)
    fields = models.JSONField(default=dict)
    imap_uid = models.PositiveIntegerField(null=True, blank=True)  # its copy in Drafts
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return self.fields.get("subject", "") or str(self.key)


class Signature(models.Model):
    """A block added under the messages someone writes (e.g. «interne», «externe»)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    name = models.CharField(_("name"), max_length=60)
    body = models.TextField(_("text"))
    is_default = models.BooleanField(_("used by default"), default=False)
    with_mentions = models.BooleanField(_("add the académie's mandatory mentions"), default=False)

    class Meta:
        ordering = ["-is_default", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def full_text(self) -> str:
        if self.with_mentions and settings.ACADEMIE_MENTIONS:
            return f"{self.body.rstrip()}\n\n{settings.ACADEMIE_MENTIONS}"
        return self.body


class MessageTemplate(models.Model):
    """A «modèle»: convocations and relances written once, with {prénom}, {nom}, {classe},
    {date} filled in when used."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    name = models.CharField(_("name"), max_length=80)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body = models.TextField(_("text"))

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def _share_token() -> str:
    return secrets.token_urlsafe(24)


class SharedFile(models.Model):
    """A large attachment kept on the académie's own storage (its ``chunks`` in the database,
    mail/models/stored.py) and sent as a link, so that mailboxes do not fill up. The link
    expires and its owner can revoke it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    token = models.CharField(max_length=64, unique=True, default=_share_token)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    downloads = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.filename

    @property
    def available(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class ReadReceipt(models.Model):
    """A read receipt (RFC 8098 MDN) received for a message sent from the web app."""

    outgoing = models.ForeignKey(OutgoingMessage, on_delete=models.CASCADE, related_name="receipts")
    reader = models.CharField(max_length=320)
    disposition = models.CharField(max_length=32)  # displayed, deleted…
    read_at = models.DateTimeField()

    class Meta:
        ordering = ["read_at"]
        constraints = [
            models.UniqueConstraint(fields=["outgoing", "reader"], name="unique_receipt_reader")
        ]

    def __str__(self) -> str:
        return f"{self.reader}: {self.disposition}"
