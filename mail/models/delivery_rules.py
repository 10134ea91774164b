"""What happens at delivery, per mailbox: sorting rules and their runs, the absence message
and whom it answered, forwarding."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from mail.models.mailboxes import Mailbox


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
    # «Pendant les vacances scolaires»: on only during the school holidays of the mailbox's
    # zone (directory.school_calendar), within the dates above when they are set.
    school_holidays = models.BooleanField(_("only during the school holidays"), default=False)
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
