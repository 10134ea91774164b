"""The gateway's spool index: one row per accepted message until it is delivered."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SpooledMessage(models.Model):
    """One message accepted by the gateway; its bytes are its ``chunks`` (mail/models/stored.py),
    committed with this row before the gateway answers 250."""

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
    # What the gateway received (mail.pipeline.spool.fingerprint): a sender's resend after a
    # lost 250 is recognised by it. Empty for what the worker spools and for mail without a
    # Message-ID; unique, so two gateways receiving the same resend at once store one copy.
    fingerprint = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["status", "received_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["fingerprint"], condition=~models.Q(fingerprint=""),
                name="unique_spool_fingerprint",
            )
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.id} ({self.status})"
