"""Where mailboxes live among the Dovecot backends: list them, or move one by hand."""

import shlex

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from mail.dovecot_homes import (
    UnknownBackend,
    assign_home,
    backend_counts,
    backend_names,
    backend_of,
)
from mail.models import Mailbox


class Command(BaseCommand):
    help = (
        "Without arguments: mailboxes per Dovecot backend. With IMAP_USER: its backend. "
        "With IMAP_USER BACKEND: the Dovecot proxy sends that mailbox to BACKEND from its next "
        "login (copy its mail there first with `doveadm sync`); it prints the `doveadm proxy "
        "kick` that disconnects the sessions still open on the old backend."
    )

    def add_arguments(self, parser):
        parser.add_argument("imap_user", nargs="?")
        parser.add_argument("backend", nargs="?")

    def handle(self, *args, imap_user: str | None, backend: str | None, **options):
        if not backend_names():
            raise CommandError("DOVECOT_BACKENDS is empty: there is one Dovecot, no proxy.")
        if imap_user is None:
            for name, count in backend_counts().items():
                self.stdout.write(f"{name}\t{count}")
            return
        if not Mailbox.objects.filter(imap_user=imap_user).exists():
            raise CommandError(f"No mailbox has the IMAP user {imap_user!r}.")
        if backend is None:
            self.stdout.write(backend_of(imap_user))
            return
        try:
            assign_home(imap_user=imap_user, backend=backend)
        except UnknownBackend as exc:
            raise CommandError(
                f"Unknown backend {exc}; DOVECOT_BACKENDS names {', '.join(backend_names())}."
            ) from exc
        self.stdout.write(f"{imap_user} → {backend}")
        # Dovecot 2.3 kicks exact names only: each one the mailbox may be proxied under.
        address = Mailbox.objects.filter(imap_user=imap_user).values_list("address", flat=True)
        names = [imap_user, f"{imap_user}*{settings.DOVECOT_MASTER_USER}", *address]
        self.stdout.write("Sessions opened before stay on the old backend; on each proxy:\n"
                          f"doveadm proxy kick {shlex.join(names)}")  # fmt: skip
