from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class SharedMailboxesConfig(AppConfig):
    name = "shared_mailboxes"
    verbose_name = _("Shared mailboxes")

    def ready(self):
        from mail.access import grants_changed
        from mail.signals import message_queued
        from shared_mailboxes import journal
        from shared_mailboxes.models import RoleGrant

        message_queued.connect(journal.record_sending, dispatch_uid="shared_mailboxes.journal")
        # The sidebar's kept answer «reads only their own mailbox» (mail/access.py).
        for signal in (post_save, post_delete):
            signal.connect(grants_changed, sender=RoleGrant, dispatch_uid="shared_mailboxes.grants")
