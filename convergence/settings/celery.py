"""Celery: the broker, how tasks are acknowledged, and every periodic job (beat)."""

from convergence.env import env, env_int
from convergence.settings.base import REDIS_URL

# Redis by default; RabbitMQ as well (amqp://user:password@host:5672/vhost), tested in
# tests/test_several_nodes.py. The cache (REDIS_URL) and the beat's claims stay in Redis.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", REDIS_URL)
# The queue the web app, the gateway and the workers share ("celery"); another name lets two
# installations (or two test runs) use one broker without taking each other's tasks.
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", "celery")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 600}
# The broker lost (Redis restarted, a network cut): reconnect for as long as it takes, at
# start too, rather than exit after 100 tries. A late-acknowledged task still running then
# cannot be acknowledged on the new connection: it is cancelled where the pool can (prefork)
# and done again, from the broker's copy or the spool sweep's; delivery and sending record
# each step, so a redone task doubles nothing (docs/architecture.md, «Failure behaviour»).
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_TIMEZONE = "Europe/Paris"
# Several beats may run (one per node): each job's run is claimed in Redis first
# (convergence/beat.py), so it is sent once, and a node's failure stops nothing.
CELERY_BEAT_SCHEDULER = "convergence.beat:ClaimingScheduler"
CELERY_BEAT_SCHEDULE = {
    "purge-expired-stored-files": {
        "task": "mail.tasks.purge_expired_stored_files",
        "schedule": 3600.0,
    },
    "send-waiting-messages": {
        "task": "mail.tasks.send_waiting_messages",
        "schedule": float(env_int("SPOOL_SWEEP_SECONDS", 60)),
    },
    "requeue-stalled-spool": {
        "task": "mail.tasks.requeue_stalled_spool",
        "schedule": float(env_int("SPOOL_SWEEP_SECONDS", 60)),
    },
    "end-expired-delegations": {
        "task": "mail.tasks.end_expired_delegations",
        "schedule": float(env_int("DELEGATION_SWEEP_SECONDS", 300)),
    },
    # Scheduled and held messages wait in the database; this queues them when they are due.
    "send-due-messages": {
        "task": "mail.tasks.send_due_messages",
        "schedule": float(env_int("SCHEDULED_SEND_SWEEP_SECONDS", 30)),
    },
    "send-daily-digests": {
        "task": "notifications.tasks.send_digests",
        "schedule": float(env_int("DIGEST_SWEEP_SECONDS", 300)),
    },
    "suspend-inactive-accounts": {
        "task": "accounts.tasks.suspend_inactive_accounts",
        "schedule": 6 * 3600.0,
    },
}
