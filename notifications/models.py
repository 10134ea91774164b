"""How and when one person wants to hear about new mail; created with defaults on first use."""

from datetime import time

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def _inbox_only() -> list[str]:
    return ["INBOX"]


class NotificationSettings(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings"
    )
    in_page = models.BooleanField(_("tell me in the page when a message arrives"), default=True)
    browser = models.BooleanField(
        _("also show a notification of the browser (it asks your permission once)"),
        default=False,
    )
    quiet_start = models.TimeField(_("quiet hours start at"), default=time(18, 0))
    quiet_end = models.TimeField(_("quiet hours end at"), default=time(8, 0))
    quiet_weekends = models.BooleanField(_("quiet all weekend"), default=True)
    urgent_senders = models.TextField(
        _("senders who may reach me during quiet hours"),
        blank=True,
        help_text=_("One address per line, for example your head teacher's."),
    )
    digest = models.BooleanField(_("send me a daily summary of my unread messages"), default=False)
    digest_hour = models.PositiveSmallIntegerField(
        _("summary sent at"),
        default=7,
        choices=[(hour, f"{hour} h") for hour in range(5, 22)],
    )
    digest_folders = models.JSONField(_("folders in the summary"), default=_inbox_only)
    last_digest_on = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")

    def __str__(self) -> str:
        return f"notifications of {self.user}"

    @classmethod
    def of(cls, user) -> "NotificationSettings":
        return cls.objects.get_or_create(user=user)[0]

    @property
    def urgent_addresses(self) -> set[str]:
        return {line.strip().lower() for line in self.urgent_senders.splitlines() if "@" in line}
