"""Mailboxes (personal or functional), their members, and the webmail's own settings on them."""

from django.conf import settings
from django.db import models
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
