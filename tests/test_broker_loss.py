"""The broker lost while a delivery task is running and unacknowledged (#17: «Celery crashes
on a broker loss during an unacknowledged task»): a real worker on a Redis of its own,
killed in the middle of a delivery and restarted empty. The worker stays up, reconnects,
takes new work, and the message is delivered once."""

import pytest
import redis
from django.conf import settings

from devstack.processes import RedisServer
from mail.models import SpooledMessage
from tests.conftest import build_message, send_inbound, unique_subject, wait_for
from tests.servers import Worker
from tests.test_delivery_dedup import assert_delivered_once, copies

pytestmark = pytest.mark.usefixtures("mail_stack")


@pytest.fixture
def broker(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.kill()


@pytest.fixture
def worker_on_broker(worker, broker, tmp_path):
    """A worker of this test's own on the private Redis, pausing between Dovecot storing a
    message and recording it; the suite's worker is stopped meanwhile (the gateway still
    queues on the suite's Redis: this worker's beat sweep finds the messages)."""
    worker.stop()
    own = Worker(tmp_path / "worker.log")  # kept by pytest after the run
    own.env.update({"REDIS_URL": broker.url, "CELERY_BROKER_URL": broker.url,
                    "DELIVERY_FAULT_PAUSE_SECONDS": "6"})  # fmt: skip
    own.start()
    yield own
    own.stop()
    redis.Redis.from_url(settings.REDIS_URL).flushdb()  # this test's tasks, long done
    worker.start()


def _log_has(worker: Worker, text: str) -> bool:
    return text in worker.log_path.read_text(errors="replace")


def test_the_broker_lost_during_an_unacknowledged_delivery_loses_and_doubles_nothing(
    worker_on_broker, broker, prof
):
    subject = unique_subject("Perte du courtier")
    send_inbound(build_message(to=prof.email, subject=subject))
    spooled = SpooledMessage.objects.get()
    # Stored by Dovecot, not yet recorded: the task is running and unacknowledged.
    wait_for(lambda: copies(prof, subject) == 1, timeout=60)
    assert SpooledMessage.objects.get(id=spooled.id).delivered_to == []
    broker.kill()
    wait_for(lambda: _log_has(worker_on_broker, "Connection to broker lost"), timeout=30)
    broker.start()  # empty, as a Redis restarted without its data
    assert_delivered_once([prof], subject, spooled)
    assert worker_on_broker.process.poll() is None, "the worker exited"
    # It took up its work again on the new Redis.
    later = unique_subject("Après la perte")
    send_inbound(build_message(to=prof.email, subject=later))
    try:
        wait_for(lambda: copies(prof, later) == 1, timeout=90)
    except AssertionError:
        raise AssertionError(worker_on_broker.log_path.read_text()[-4000:]) from None
    assert worker_on_broker.process.poll() is None, "the worker exited"
