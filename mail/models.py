"""Mailboxes (each a real Dovecot user), who may open them, and the gateway's spool index."""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Mailbox(models.Model):
    """A Dovecot mailbox. ``imap_user`` is the Dovecot user name; messages live only in IMAP."""

    class Kind(models.TextChoices):
        PERSONAL = "personal", _("Personal")
        FUNCTIONAL = "functional", _("Functional")

    address = models.EmailField(_("address"), unique=True)
    imap_user = models.CharField(_("IMAP user"), max_length=128, unique=True)
    display_name = models.CharField(_("display name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    owner = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="personal_mailbox",
    )
    etablissement = models.ForeignKey(
        "directory.Etablissement", on_delete=models.PROTECT, null=True, blank=True
    )

    class Meta:
        ordering = ["kind", "display_name"]
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")

    def __str__(self) -> str:
        return f"{self.display_name} <{self.address}>"


class MailboxMember(models.Model):
    """A person's rights on a mailbox that is not their own (functional or delegated)."""

    mailbox = models.ForeignKey(Mailbox, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    can_read = models.BooleanField(_("read"), default=True)
    can_manage = models.BooleanField(_("manage messages"), default=False)
    can_send_as = models.BooleanField(_("send as"), default=False)
    can_send_on_behalf = models.BooleanField(_("send on behalf"), default=False)
    can_administer = models.BooleanField(_("administer"), default=False)
    starts_at = models.DateTimeField(_("starts"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["mailbox", "user"], name="unique_mailbox_member")
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.mailbox}"


class SpooledMessage(models.Model):
    """One message accepted by the gateway; its bytes are in a fsynced file under SPOOL_DIR."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for delivery")
        DELIVERED = "delivered", _("Delivered")
        CAPTURED = "captured", _("Captured (external, development)")
        RELAYED = "relayed", _("Relayed to the smarthost")
        FAILED = "failed", _("Failed")
        DEAD = "dead", _("Given up after repeated failures")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    received_at = models.DateTimeField(auto_now_add=True)
    mail_from = models.CharField(max_length=320, blank=True)
    recipients = models.JSONField(default=list)
    # Recipients already handed to Dovecot: a retry never delivers to them twice.
    delivered_to = models.JSONField(default=list)
    # Recipients handed to Dovecot by an attempt that has not heard back yet. Committed before
    # the LMTP DATA or IMAP APPEND: after a crash, a retry looks in Dovecot for these
    # (X-Convergence-Delivery header) instead of storing a second copy.
    in_flight = models.JSONField(default=list)
    size = models.PositiveIntegerField()
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    # A worker claims the message while it delivers, so two workers never deliver it at once.
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Every attempt saves the row: the sweep leaves alone what a retry loop is working on.
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["status", "received_at"])]

    def __str__(self) -> str:
        return f"{self.id} ({self.status})"

    @property
    def path(self):
        return settings.SPOOL_DIR / f"{self.id}.eml"


class FolderColour(models.Model):
    """A colour a person gave a folder, to find it at a glance."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    mailbox = models.ForeignKey(Mailbox, on_delete=models.CASCADE)
    folder = models.CharField(max_length=255)
    colour = models.CharField(max_length=16)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "mailbox", "folder"], name="unique_folder_colour"
            )
        ]

    def __str__(self) -> str:
        return f"{self.folder}: {self.colour}"


class TrustedSender(models.Model):
    """A sender whose remote images this person always wants shown (through the proxy)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    address = models.EmailField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "address"], name="unique_trusted_sender")
        ]

    def __str__(self) -> str:
        return self.address


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

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    mailbox = models.ForeignKey(Mailbox, on_delete=models.CASCADE)
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
    # Receipts and digests are not the user's writing: no copy in Sent, not in «À envoyer».
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
    """A large attachment kept on the académie's own storage and sent as a link, so that
    mailboxes do not fill up. The link expires and its owner can revoke it."""

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
    def path(self):
        return settings.SHARED_FILES_DIR / self.token

    @property
    def available(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class Rule(models.Model):
    """A «règle de tri» of a mailbox: conditions on an arriving message, and what to do with
    it. Conditions and actions are small dicts checked by ``mail.pipeline.rules``."""

    class Match(models.TextChoices):
        ALL = "all", _("all the conditions")
        ANY = "any", _("at least one condition")

    mailbox = models.ForeignKey(Mailbox, on_delete=models.CASCADE, related_name="rules")
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveIntegerField(default=0)
    enabled = models.BooleanField(_("active"), default=True)
    match = models.CharField(max_length=8, choices=Match.choices, default=Match.ALL)
    conditions = models.JSONField(default=list)  # [{"field", "op", "value"}]
    actions = models.JSONField(default=list)  # [{"type", "value"}]
    stop = models.BooleanField(_("stop processing the other rules"), default=False)
    # Who made it and when: after a phishing incident, support lists recent rules.
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["mailbox", "position", "id"]

    def __str__(self) -> str:
        return self.name


class RuleRun(models.Model):
    """«Appliquer maintenant»: one rule run over one existing folder by a Celery task."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("In progress")
        DONE = "done", _("Finished")
        CANCELLED = "cancelled", _("Cancelled")
        FAILED = "failed", _("Failed")

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="runs")
    folder = models.CharField(max_length=255)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    matched = models.PositiveIntegerField(default=0)
    cancel_requested = models.BooleanField(default=False)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.rule} on {self.folder} ({self.status})"


class Vacation(models.Model):
    """The «message d'absence» of a mailbox (RFC 3834 auto-replies: ``mail.pipeline.vacation``)."""

    mailbox = models.OneToOneField(Mailbox, on_delete=models.CASCADE, related_name="vacation")
    enabled = models.BooleanField(_("send an absence message"), default=False)
    starts_on = models.DateField(_("from"), null=True, blank=True)
    ends_on = models.DateField(_("until (included)"), null=True, blank=True)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    days = models.PositiveSmallIntegerField(
        _("days between two replies to the same person"), default=7
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.mailbox}: {self.subject}"


class VacationReply(models.Model):
    """When a mailbox last answered a sender, so each gets one reply per ``days``."""

    mailbox = models.ForeignKey(Mailbox, on_delete=models.CASCADE)
    sender = models.CharField(max_length=320)
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["mailbox", "sender"], name="unique_vacation_reply")
        ]

    def __str__(self) -> str:
        return f"{self.mailbox} → {self.sender}"


class Forwarding(models.Model):
    """A «transfert»: every arriving message also goes to ``address``."""

    mailbox = models.ForeignKey(Mailbox, on_delete=models.CASCADE, related_name="forwardings")
    address = models.EmailField(_("forward to"))
    keep_copy = models.BooleanField(_("keep a copy in this mailbox"), default=True)
    enabled = models.BooleanField(_("active"), default=True)
    # After a phishing incident, support lists forwardings created recently.
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        ordering = ["mailbox", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["mailbox", "address"], name="unique_forwarding")
        ]

    def __str__(self) -> str:
        return f"{self.mailbox} → {self.address}"


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
