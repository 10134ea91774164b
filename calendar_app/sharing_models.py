"""Calendars shared with others (#14): a person, a distribution list or a role of an
établissement, at one of three levels; a delegation is «modification» plus answering
invitations on the owner's behalf, until its end date. Functional calendars belong to a
functional mailbox and follow its rights (mail.access), like the shared mailboxes.

Imported by calendar_app.models (Django finds models there)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Level(models.TextChoices):
    FREEBUSY = "disponibilites", _("Availability only")
    READ = "lecture", pgettext_lazy("share level", "Read")
    WRITE = "modification", pgettext_lazy("share level", "Edit")


RANK = {Level.FREEBUSY: 1, Level.READ: 2, Level.WRITE: 3}


class CalendarShare(models.Model):
    """One grantee (exactly one of: a person, a list, a role in an établissement) on one
    calendar (``owner``'s collection)."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="calendar_shares")  # fmt: skip
    collection = models.CharField(max_length=200)
    level = models.CharField(_("access"), max_length=16, choices=Level.choices)
    may_answer = models.BooleanField(_("answers invitations on the owner's behalf"),
                                     default=False)  # fmt: skip
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True,
                             blank=True, related_name="calendars_shared_with_me")  # fmt: skip
    dlist = models.ForeignKey("directory.DistributionList", on_delete=models.CASCADE, null=True,
                              blank=True, related_name="+")  # fmt: skip
    category = models.CharField(_("role"), max_length=20, blank=True)  # accounts.User.Category
    etablissement = models.ForeignKey("directory.Etablissement", on_delete=models.CASCADE,
                                      null=True, blank=True, related_name="+")  # fmt: skip
    ends_at = models.DateTimeField(_("until"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+")  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["owner", "collection"])]

    def __str__(self) -> str:
        return f"{self.owner_id}/{self.collection} {self.level}"


class FunctionalCalendar(models.Model):
    """The calendar of a functional mailbox (vie scolaire, CPE): its events live in the home of
    a service account (``account``, no password); who may read or change them follows the
    mailbox's rights: «lire» gives «lecture», «gérer» gives «modification»."""

    mailbox = models.OneToOneField("mail.Mailbox", on_delete=models.CASCADE,
                                   related_name="functional_calendar")  # fmt: skip
    account = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                   related_name="functional_calendar")  # fmt: skip

    def __str__(self) -> str:
        return str(self.account_id)
