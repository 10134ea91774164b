"""The académie's own mail domains (``MAIL_DOMAINS``): which addresses are ours.

Here, beside the settings, because identity (a recovery address must be outside them) and
mail (the gateway, delivery, forwarding) both ask, and neither imports the other's code."""

from django.conf import settings


def is_local(address: str) -> bool:
    return address.rpartition("@")[2].lower() in settings.MAIL_DOMAINS
