"""Import the HR system's export (CSV or LDIF) into the directory: a dry run unless --apply."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from directory import hr_files, hr_import


class Command(BaseCommand):
    help = (
        "Read the académie's HR export (CSV or LDIF) and report who arrives, changes and left, "
        "and every wrong row. With --apply, carry it out (only when no row is wrong); running "
        "it again with the same file changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--apply", action="store_true", help="Carry the import out.")

    def handle(self, *args, file: Path, apply: bool, **options) -> None:
        try:
            rows = hr_files.read(file.read_bytes(), file.name)
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror}") from None
        except hr_files.UnreadableFile as exc:
            raise CommandError(str(exc)) from None
        report = hr_import.plan(rows)
        for line in hr_import.describe(report):
            self.stdout.write(line)
        if report.errors:
            raise CommandError(hr_import.refusal(report))
        if apply:
            hr_import.apply(report)
            self.stdout.write(self.style.SUCCESS(hr_import.applied(report)))
