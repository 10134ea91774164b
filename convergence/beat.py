"""Celery beat that may run on several nodes at once: each periodic job is sent by one of them.

Every beat keeps its own schedule (``PersistentScheduler``); before sending a due job it
claims the job's run in Redis (``SET NX PX``), for nine tenths of the job's period. The beat
that gets the claim sends the job; the others skip this run. A node that stops simply stops
claiming: another beat's next due run finds the claim expired and takes over, so a node
failure does not stop scheduled sends and sweeps. Every job is also safe when run twice
(claims in the database, conditional updates), so while Redis cannot be asked each beat
sends its jobs rather than none.
"""

import logging
import os
import socket

import redis
from celery.beat import PersistentScheduler
from django.conf import settings

logger = logging.getLogger(__name__)
CLAIMED_SHARE = 0.9  # of the period: the next due run of the same beat finds it expired
_clients: dict[str, redis.Redis] = {}


def _redis() -> redis.Redis:
    url = settings.REDIS_URL
    if url not in _clients:
        _clients[url] = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2)
    return _clients[url]


def _key(name: str) -> str:
    return f"{settings.CACHES['default']['KEY_PREFIX']}:beat:{name}"


def claim_run(name: str, period_seconds: float, holder: str = "") -> bool:
    """True for the one beat that may send the job ``name`` now: no other beat sent it in the
    last ``CLAIMED_SHARE`` of its period. True as well when Redis cannot be asked."""
    holder = holder or f"{socket.gethostname()}:{os.getpid()}"
    milliseconds = max(1, int(period_seconds * CLAIMED_SHARE * 1000))
    try:
        return bool(_redis().set(_key(name), holder, nx=True, px=milliseconds))
    except redis.RedisError as exc:
        logger.warning("beat: cannot claim %s in Redis, sending it anyway: %s", name, exc)
        return True


class ClaimingScheduler(PersistentScheduler):
    """``CELERY_BEAT_SCHEDULER``: sends a due job only once its run is claimed."""

    def apply_entry(self, entry, producer=None):
        period = entry.schedule.remaining_estimate(entry.schedule.now()).total_seconds()
        if claim_run(entry.name, period):
            super().apply_entry(entry, producer=producer)
        else:
            logger.info("beat: %s was sent by another beat", entry.name)
