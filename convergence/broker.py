"""kombu's Redis transport, made to survive the broker lost while a task is unacknowledged.

kombu 5.7 closes the lost connection's channel and, on the way, restores its
unacknowledged messages (and acknowledges a task that ends afterwards) through that same,
already closed connection: an AttributeError (``'NoneType' object has no attribute
'hostname'``) that Celery does not count among connection errors, so the worker stopped
(«Unrecoverable error»; tests/test_broker_loss.py). Here those steps give up instead: the
message stays in Redis's unacknowledged set and comes back after the visibility timeout, or,
with a Redis restarted empty, the spool sweep queues the delivery again. Delivery records
each recipient, so a task run twice doubles nothing.
"""

import logging

import redis as redis_client
from kombu.transport import TRANSPORT_ALIASES
from kombu.transport import redis as kombu_redis

logger = logging.getLogger(__name__)
_LOST = (AttributeError, redis_client.exceptions.ConnectionError)


class QoS(kombu_redis.QoS):
    def restore_unacked(self, client=None):
        try:
            return super().restore_unacked(client)
        except _LOST as exc:
            logger.warning("broker lost: unacknowledged messages left to Redis (%r)", exc)
            self._delivered.clear()

    def ack(self, delivery_tag):
        try:
            return super().ack(delivery_tag)
        except _LOST as exc:
            logger.warning("broker lost: message %s not acknowledged (%r)", delivery_tag, exc)

    def reject(self, delivery_tag, requeue=False):
        try:
            return super().reject(delivery_tag, requeue=requeue)
        except _LOST as exc:
            logger.warning("broker lost: message %s not rejected (%r)", delivery_tag, exc)


class Channel(kombu_redis.Channel):
    QoS = QoS


class Transport(kombu_redis.Transport):
    Channel = Channel


TRANSPORT_ALIASES["redis"] = "convergence.broker:Transport"
