"""Redis as a cache only: while it is down, reads miss and writes are dropped.

Sessions are stored in the database (cached_db) and the lockout's state is durable there
too, so nothing a person needs is lost; pages keep working, only slower."""

import logging
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)
_WARN_EVERY_SECONDS = 60


class ForgivingRedisCache(RedisCache):
    _warned_at = 0.0

    def _unavailable(self, exc: Exception, default=None):
        now = time.monotonic()
        if now - ForgivingRedisCache._warned_at > _WARN_EVERY_SECONDS:
            ForgivingRedisCache._warned_at = now
            logger.warning("cache unavailable, working without it: %s", exc)
        return default

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except RedisError as exc:
            return self._unavailable(exc, default)

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except RedisError as exc:
            return self._unavailable(exc, {})

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except RedisError as exc:
            return self._unavailable(exc, False)

    def add(self, key, value, timeout=None, version=None):
        # True, as for a miss: the key was not there (allauth's rate-limit lock and its
        # one-use TOTP codes would otherwise refuse every sign-in).
        try:
            return super().add(key, value, timeout, version)
        except RedisError as exc:
            return self._unavailable(exc, True)

    def set(self, key, value, timeout=None, version=None):
        try:
            return super().set(key, value, timeout, version)
        except RedisError as exc:
            return self._unavailable(exc)

    def set_many(self, data, timeout=None, version=None):
        try:
            return super().set_many(data, timeout, version)
        except RedisError as exc:
            return self._unavailable(exc, list(data))

    def touch(self, key, timeout=None, version=None):
        try:
            return super().touch(key, timeout, version)
        except RedisError as exc:
            return self._unavailable(exc, False)

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except RedisError as exc:
            return self._unavailable(exc, False)

    def delete_many(self, keys, version=None):
        try:
            return super().delete_many(keys, version)
        except RedisError as exc:
            return self._unavailable(exc)

    def incr(self, key, delta=1, version=None):
        try:
            return super().incr(key, delta, version)
        except RedisError as exc:
            return self._unavailable(exc, delta)

    def clear(self):
        try:
            return super().clear()
        except RedisError as exc:
            return self._unavailable(exc, False)
