"""The personal address book, stored on the CardDAV server (dav/carddav.py is its client)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContactsConfig(AppConfig):
    name = "contacts"
    verbose_name = _("Contacts")

    def ready(self) -> None:
        from contacts import collected
        from mail.signals import message_queued

        message_queued.connect(collected.on_message_queued, dispatch_uid="contacts.collected")
