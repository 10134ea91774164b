from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class MailConfig(AppConfig):
    name = "mail"
    verbose_name = _("Mail")

    def ready(self):
        from mail.access import grants_changed
        from mail.dovecot_homes import place_new_mailbox
        from mail.models import Mailbox, MailboxMember

        post_save.connect(place_new_mailbox, sender=Mailbox, dispatch_uid="mail.dovecot_home")
        # Role grants' changes too, connected by shared_mailboxes (their app).
        for signal in (post_save, post_delete):
            signal.connect(grants_changed, sender=MailboxMember, dispatch_uid="mail.grants")
