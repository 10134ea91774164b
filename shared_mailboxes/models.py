"""Shared mailboxes beyond named members: rights given to a role, folders with their own
address, team work on messages (assignment, notes), per-mailbox signatures, and the audit log.

Messages are referred to by Message-ID: it survives moves between folders, a UID does not.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import User

RIGHTS = ("can_read", "can_manage", "can_send_as", "can_send_on_behalf", "can_administer")


class RoleGrant(models.Model):
    """Rights given to everyone of a category in an établissement (e.g. every «personnel
    administratif» of 0381234A): access follows the directory as staff come and go."""

    mailbox = models.ForeignKey(
        "mail.Mailbox", on_delete=models.CASCADE, related_name="role_grants"
    )
    category = models.CharField(_("role"), max_length=20, choices=User.Category.choices)
    etablissement = models.ForeignKey(
        "directory.Etablissement", verbose_name=_("établissement"), on_delete=models.CASCADE
    )
    can_read = models.BooleanField(_("read"), default=True)
    can_manage = models.BooleanField(_("manage messages"), default=False)
    can_send_as = models.BooleanField(_("send as"), default=False)
    can_send_on_behalf = models.BooleanField(_("send on behalf"), default=False)
    can_administer = models.BooleanField(_("administer"), default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["mailbox", "category", "etablissement"], name="unique_role_grant"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} ({self.etablissement.uai}) → {self.mailbox}"


class FolderAddress(models.Model):
    """«Distribution directe dans ce dossier»: mail sent to this address lands in the folder."""

    address = models.EmailField(_("address"), unique=True)
    mailbox = models.ForeignKey(
        "mail.Mailbox", on_delete=models.CASCADE, related_name="folder_addresses"
    )
    folder = models.CharField(_("folder"), max_length=255)

    class Meta:
        ordering = ["address"]

    def __str__(self) -> str:
        return f"{self.address} → {self.mailbox.imap_user}/{self.folder}"


class MessageWork(models.Model):
    """Who a message of a shared mailbox is «attribué à». The state («à traiter / en cours /
    traité») is an IMAP keyword on the message; ``state`` here is the last one set through
    the web app, for the «mes messages attribués» list. ``version`` makes every change
    conditional on what the person saw, so two members never overwrite each other blindly."""

    class State(models.TextChoices):
        NONE = "", _("No state")
        TODO = "todo", _("To do")
        DOING = "doing", _("In progress")
        DONE = "done", _("Done")

    mailbox = models.ForeignKey("mail.Mailbox", on_delete=models.CASCADE, related_name="+")
    message_id = models.CharField(max_length=255)
    subject = models.CharField(max_length=998, blank=True)
    sender = models.CharField(max_length=320, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="assigned_messages",
    )
    state = models.CharField(max_length=8, choices=State.choices, blank=True, default="")
    version = models.PositiveIntegerField(default=0)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(fields=["mailbox", "message_id"], name="unique_message_work")
        ]

    def __str__(self) -> str:
        return f"{self.message_id} ({self.state or '-'})"


class MessageNote(models.Model):
    """An internal note on a message, seen only by the mailbox's members, never sent."""

    mailbox = models.ForeignKey("mail.Mailbox", on_delete=models.CASCADE, related_name="+")
    message_id = models.CharField(max_length=255, db_index=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    text = models.TextField(_("note"), max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:40]


class MailboxSignature(models.Model):
    """A signature of the mailbox itself, used when a member writes as it."""

    mailbox = models.ForeignKey(
        "mail.Mailbox", on_delete=models.CASCADE, related_name="signatures"
    )
    name = models.CharField(_("name"), max_length=60)
    body = models.TextField(_("text"))
    is_default = models.BooleanField(_("used by default"), default=False)

    class Meta:
        ordering = ["-is_default", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def key(self) -> str:
        """Its value in the compose page's list, apart from the person's own signatures."""
        return f"b{self.id}"

    @property
    def full_text(self) -> str:
        return self.body


class AuditEntry(models.Model):
    """One line of a shared mailbox's append-only journal: who did what to which message."""

    class Action(models.TextChoices):
        READ = "read", _("Read")
        FLAG = "flag", _("Changed flags")
        MOVE = "move", _("Moved")
        DELETE = "delete", _("Deleted")
        REPLY = "reply", _("Replied")
        SEND_AS = "send_as", _("Sent as the mailbox")
        SEND_ON_BEHALF = "send_on_behalf", _("Sent on behalf of the mailbox")
        ASSIGN = "assign", _("Assigned")
        STATE = "state", _("Changed the state")
        NOTE = "note", _("Added a note")
        MEMBER = "member", _("Changed the members")
        EXPIRED = "expired", _("Delegation ended")

    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    mailbox = models.ForeignKey(
        "mail.Mailbox", on_delete=models.CASCADE, related_name="audit_entries"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("who"), on_delete=models.SET_NULL, null=True
    )
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True)
    subject = models.CharField(_("subject"), max_length=998, blank=True)
    folder = models.CharField(_("folder"), max_length=255, blank=True)
    details = models.CharField(_("details"), max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.message_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("The mailbox journal is append-only.")
        super().save(*args, **kwargs)
