"""Run the SMTP gateway: inbound (local domains) and authenticated submission."""

import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand

from mail.pipeline.gateway import build_controllers


class Command(BaseCommand):
    help = "Run the SMTP gateway (inbound and submission ports) until interrupted."

    def handle(self, *args, **options):
        controllers = build_controllers(
            settings.GATEWAY_INBOUND_PORT, settings.GATEWAY_SUBMISSION_PORT
        )
        for controller in controllers:
            controller.start()
        self.stdout.write(
            f"SMTP gateway: inbound {settings.GATEWAY_HOST}:{settings.GATEWAY_INBOUND_PORT}, "
            f"submission {settings.GATEWAY_HOST}:{settings.GATEWAY_SUBMISSION_PORT}"
        )
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        stop.wait()
        for controller in controllers:
            controller.stop()
