"""The gateway's limits that are not aiosmtpd's own: open connections per IP and in all,
recipients per transaction."""

import threading

from django.conf import settings


def too_many_recipients(envelope) -> str | None:
    if len(envelope.rcpt_tos) >= settings.GATEWAY_MAX_RECIPIENTS:
        return "452 4.5.3 Too many recipients"
    return None


class Connections:
    """Open connections per IP and in all, shared by both ports (each runs its own loop
    thread)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._per_ip: dict[str, int] = {}

    def admit(self, ip: str) -> bool:
        with self._lock:
            total = sum(self._per_ip.values())
            if (
                total >= settings.GATEWAY_MAX_CONNECTIONS
                or self._per_ip.get(ip, 0) >= settings.GATEWAY_MAX_CONNECTIONS_PER_IP
            ):
                return False
            self._per_ip[ip] = self._per_ip.get(ip, 0) + 1
            return True

    def release(self, ip: str) -> None:
        with self._lock:
            left = self._per_ip.get(ip, 0) - 1
            if left > 0:
                self._per_ip[ip] = left
            else:
                self._per_ip.pop(ip, None)


connections = Connections()
