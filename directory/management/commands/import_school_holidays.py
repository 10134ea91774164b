"""`manage.py import_school_holidays FILE.ics…`: refresh the school-holidays data file from
the .ics files of data.education.gouv.fr (one per zone), keeping the other zones and years."""

import json
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from convergence.queueing import enqueue_on_commit
from directory import school_calendar
from directory.school_holidays_ics import BadSchoolCalendar, merged, read_ics


class Command(BaseCommand):
    help = "Refresh the school holidays (vacances scolaires) from official .ics files."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path)
        parser.add_argument("--zone", default="", help="A, B, C, Corse… when the file does "
                            "not say it in its summaries")  # fmt: skip

    def handle(self, *args, files, zone, **options):
        new = []
        for path in files:
            try:
                found = read_ics(path.read_bytes(), zone)
            except (OSError, BadSchoolCalendar) as exc:
                raise CommandError(f"{path}: unreadable ({exc})") from exc
            if not found:
                raise CommandError(f"{path}: no school holidays found (use --zone?)")
            new.extend(found)
        target = school_calendar.holidays_file()
        data = json.loads(target.read_text(encoding="utf-8"))
        data["holidays"] = merged(data["holidays"], [
            {**e, "start": e["start"].isoformat(),
             "end": e["end"].isoformat() if e["end"] else None} for e in new])  # fmt: skip
        names = ", ".join(p.name for p in files)
        data["source"] = f"{data.get('source', '')} Imported {names} on {date.today()}.".strip()
        for key in sorted({f"{z} {e['school_year']}" for e in new for z in e["zones"]}):
            # What an import replaces is no longer what was read elsewhere, nor incomplete.
            data.setdefault("sources", {})[key] = {"read_on": str(date.today()), "files": names}
        target.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", "utf-8")
        zones = sorted({z for e in new for z in e["zones"]})
        self.stdout.write(f"{len(new)} holidays imported for {', '.join(zones)} into {target}.")
        # The phones' copies (calendar_app.school_copy) are rewritten where they changed.
        enqueue_on_commit("calendar_app.tasks.write_school_calendars")
