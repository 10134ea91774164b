"""Seed the demo académie: établissements, people, mailboxes, and French mail via the gateway."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo import academie
from demo.mail_corpus import load_corpus, spooled_indices
from mail.transport import smtp


def parse_gateway(value: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit():
        raise CommandError(f"--gateway expects HOST:PORT, got {value!r}")
    return host.strip("[]"), int(port)


class Command(BaseCommand):
    help = (
        "Create the demo académie (about 40 établissements, a few hundred people, their mailboxes) "
        "and send a "
        "corpus of French mail through the SMTP gateway. Safe to run again: it restores the "
        "demo logins and sends only what the gateway has not accepted yet."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-mail", action="store_true", help="Only people and mailboxes, no messages."
        )
        parser.add_argument(
            "--gateway",
            metavar="HOST:PORT",
            help="Inbound SMTP port of the gateway "
            "(default: GATEWAY_HOST:GATEWAY_INBOUND_PORT from the settings).",
        )

    def handle(self, *args, **options) -> None:
        started = time.monotonic()
        summary = academie.seed_directory()
        self.stdout.write(
            f"Directory: {len(summary.created_users)} accounts and "
            f"{len(summary.created_mailboxes)} mailboxes created, "
            f"{len(summary.reset_users)} demo logins restored "
            f"({time.monotonic() - started:.1f} s)."
        )
        self.seed_agenda()
        failure = None
        if not options["no_mail"]:
            default = f"{settings.GATEWAY_HOST}:{settings.GATEWAY_INBOUND_PORT}"
            host, port = parse_gateway(options["gateway"] or default)
            try:
                self.send_corpus(host, port)
            except smtp.GatewayUnavailable as exc:
                failure = (
                    f"La passerelle SMTP ne répond pas sur {host}:{port} : lancez-la "
                    "(python manage.py rungateway) puis relancez seed_demo.\n"
                    f"The SMTP gateway is not answering on {host}:{port}: start it "
                    f"(python manage.py rungateway) and run seed_demo again.\n({exc})"
                )
            except smtp.GatewayRejected as exc:
                failure = f"The gateway refused a demo message: {exc}"
        self.print_logins()
        if failure:
            # Accounts are in place either way; the next run sends only what is missing.
            raise CommandError(failure)

    def seed_agenda(self) -> None:
        from dav.client import DavUnavailable
        from demo.agenda import seed_demo_agenda, seed_demo_functional_calendars, seed_demo_rooms

        try:
            self.stdout.write(seed_demo_agenda())
            self.stdout.write(seed_demo_rooms())
            self.stdout.write(seed_demo_functional_calendars())
        except DavUnavailable:  # mail and accounts do not need it
            self.stdout.write(self.style.WARNING(
                "Agenda: the CalDAV server (Radicale) does not answer; demo events not written."
            ))  # fmt: skip

    def send_corpus(self, host: str, port: int) -> None:
        corpus = load_corpus()
        done = spooled_indices()
        missing = [message for message in corpus if message.index not in done]
        if not missing:
            self.stdout.write(f"Mail: the {len(corpus)} demo messages were already sent.")
            return
        started = time.monotonic()
        with smtp.GatewayClient(host, port) as client:
            for message in missing:
                client.send(
                    message.raw, mail_from=message.mail_from, recipients=message.recipients
                )
        self.stdout.write(
            f"Mail: {len(missing)} of {len(corpus)} demo messages handed to the gateway at "
            f"{host}:{port} ({time.monotonic() - started:.1f} s); the worker delivers them "
            "to Dovecot."
        )

    def print_logins(self) -> None:
        self.stdout.write(self.style.SUCCESS(f"\nDemo logins (password: {academie.DEMO_PASSWORD})"))
        for login in academie.DEMO_LOGINS:
            person = academie.person(login)
            self.stdout.write(f"  {login:<18} {person.full_name}, {person.role}")
        self.stdout.write(
            f"  ({academie.SECRETARIAT_LOGIN} also manages {academie.vie_scolaire_address()})"
        )
        self.stdout.write(f"Open {academie.DEMO_URL}")
