"""Print the external mail development captured instead of sending it (no SMARTHOST)."""

from django.core.management.base import BaseCommand

from mail.models import SpooledMessage, stored


class Command(BaseCommand):
    help = "Print the newest captured external messages (development without SMARTHOST)."

    def add_arguments(self, parser):
        parser.add_argument("--to", default="", help="only the messages to this address")
        parser.add_argument("--count", type=int, default=1, help="how many (newest first)")

    def handle(self, *args, to: str, count: int, **options):
        captured = SpooledMessage.objects.filter(status=SpooledMessage.Status.CAPTURED)
        shown = 0
        for message in captured.order_by("-received_at").iterator():
            if shown >= count:
                break
            if to and to.lower() not in message.recipients:
                continue
            try:
                raw = stored.read(message.chunks)
            except stored.ContentMissing:
                continue
            self.stdout.write(f"--- {message.id} ({message.received_at:%Y-%m-%d %H:%M:%S})")
            self.stdout.write(raw.decode("utf-8", "replace"))
            shown += 1
        if not shown:
            self.stderr.write("No captured message.")
