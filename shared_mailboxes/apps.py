from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SharedMailboxesConfig(AppConfig):
    name = "shared_mailboxes"
    verbose_name = _("Shared mailboxes")
