"""Write Dovecot's configuration from the settings, then (with --exec) become Dovecot: the
command of the Dovecot containers of docker-compose.yml, so there is no manual step."""

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from devstack.dovecot import DovecotNotInstalled, configured_server, dovecot_binary


class Command(BaseCommand):
    help = (
        "Render the Dovecot configuration (a mail store, or a proxy in front of "
        "DOVECOT_BACKENDS) into DOVECOT_DIR; --exec then runs Dovecot in the foreground."
    )

    def add_arguments(self, parser):
        parser.add_argument("--role", choices=["backend", "proxy"], default="backend")
        parser.add_argument("--exec", action="store_true", dest="run",
                            help="replace this process with `dovecot -F`")  # fmt: skip

    def handle(self, *args, role: str, run: bool, **options):
        if role == "proxy" and not settings.DOVECOT_BACKENDS:
            raise CommandError("A Dovecot proxy needs DOVECOT_BACKENDS (name=host:imap:lmtp,…).")
        config = configured_server(role=role).config
        path = config.render()
        self.stdout.write(f"Dovecot {role} configuration written to {path}")
        if run:
            try:
                binary = dovecot_binary()
            except DovecotNotInstalled as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.flush()
            os.execv(binary, [binary, "-F", "-c", str(path)])  # noqa: S606 - Dovecot itself
