"""Which Dovecot backend holds each mailbox (accounts.DovecotHome, read by the Dovecot proxy):
a new mailbox goes to the backend holding the fewest, an operator moves one by hand."""

from collections import Counter

from django.conf import settings
from django.db import transaction

from accounts.models import DovecotHome
from mail.models import Mailbox


class UnknownBackend(ValueError):
    pass


def backend_names() -> list[str]:
    return [name for name, *_ in settings.DOVECOT_BACKENDS]


def backend_counts() -> Counter:
    """Mailboxes per backend; those without a row are on the first one."""
    counts = Counter(dict.fromkeys(backend_names(), 0))
    counts.update(DovecotHome.objects.values_list("backend", flat=True))
    unassigned = Mailbox.objects.exclude(
        imap_user__in=DovecotHome.objects.values("imap_user")
    ).count()
    if counts:
        counts[backend_names()[0]] += unassigned
    return counts


def backend_of(imap_user: str) -> str:
    home = DovecotHome.objects.filter(imap_user=imap_user).first()
    return home.backend if home else backend_names()[0]


def assign_home(*, imap_user: str, backend: str) -> DovecotHome:
    """Record where the mailbox lives. The mail itself is not moved (doveadm sync first)."""
    if backend not in backend_names():
        raise UnknownBackend(backend)
    home, _ = DovecotHome.objects.update_or_create(
        imap_user=imap_user, defaults={"backend": backend}
    )
    return home


def place_new_mailbox(sender, instance: Mailbox, created: bool, **kwargs) -> None:
    """post_save of Mailbox: with several backends, a new mailbox gets the least used one
    (before any mail reaches it; ties go to the first listed)."""
    if not created or kwargs.get("raw") or len(backend_names()) < 2:
        return
    with transaction.atomic():
        if DovecotHome.objects.filter(imap_user=instance.imap_user).exists():
            return
        counts = backend_counts()
        counts[backend_names()[0]] -= 1  # this mailbox, counted as unassigned
        backend = min(backend_names(), key=lambda name: counts[name])
        DovecotHome.objects.create(imap_user=instance.imap_user, backend=backend)
