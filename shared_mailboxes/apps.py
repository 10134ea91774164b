from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SharedMailboxesConfig(AppConfig):
    name = "shared_mailboxes"
    verbose_name = _("Shared mailboxes")

    def ready(self):
        from mail.signals import message_queued
        from shared_mailboxes import journal

        message_queued.connect(journal.record_sending, dispatch_uid="shared_mailboxes.journal")
