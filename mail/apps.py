from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


class MailConfig(AppConfig):
    name = "mail"
    verbose_name = _("Mail")

    def ready(self):
        from mail.dovecot_homes import place_new_mailbox
        from mail.models import Mailbox

        post_save.connect(place_new_mailbox, sender=Mailbox, dispatch_uid="mail.dovecot_home")
