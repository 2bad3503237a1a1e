"""The Celery app on Redis that carries ingest tasks from API instances to `specrag worker`s.

A task is one file: (job id, path, the fingerprint the API indexes with). What makes a
task survive a worker's death, measured in issue 18 (SIGKILL mid-task, then a fresh
worker): the message is acknowledged only when the task has finished (`acks_late`), a
worker process lost mid-task hands it back (`reject_on_worker_lost`), and Redis gives an
unacknowledged message to another worker once its visibility timeout has passed. That
timeout must outlast the longest task, which the file size limit bounds: 30 s plus 10 s per
MB allowed (100 MB, the default limit: 17 minutes). A shorter one would run a slow file on
two workers at once (harmless: both write the same chunk ids, but wasted); a longer one only
delays the redo after a crash.
"""

from __future__ import annotations

from typing import Any

import redis
from celery import Celery

from api.settings import Settings

TASK = "specrag.ingest_file"
QUEUE = "specrag.ingest"
BASE_SECONDS = 30
SECONDS_PER_MB = 10
RESTORE_SECONDS = 5  # how often workers look for messages past their visibility timeout


def visibility_timeout(settings: Settings) -> int:
    """Seconds an unacknowledged task stays with its worker before another may take it."""
    return int(BASE_SECONDS + SECONDS_PER_MB * settings.max_file_mb)


def make_broker(settings: Settings) -> Celery:
    """The Celery app for `settings.queue_url` (no result backend: outcomes go to the jobs
    database, where every API instance reads them)."""
    if settings.queue_url is None:
        raise ValueError("SPECRAG_QUEUE_URL is not set: there is no queue to connect to")
    app = Celery("specrag", broker=settings.queue_url, set_as_current=False)
    transport: dict[str, Any] = {
        "visibility_timeout": visibility_timeout(settings),
        "unacked_restore_interval": RESTORE_SECONDS,
        "unacked_restore_throttle": 1,
    }
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_ignore_result=True,
        task_default_queue=QUEUE,
        task_serializer="json",
        accept_content=["json"],
        worker_prefetch_multiplier=1,  # a worker holds one file at a time, not a backlog
        worker_hijack_root_logger=False,
        broker_transport_options=transport,
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,  # a restarted Redis is waited for, not fatal
        worker_cancel_long_running_tasks_on_connection_loss=False,
    )
    return app


def queue_depth(settings: Settings) -> dict[str, int]:
    """Tasks waiting in Redis, and tasks taken by a worker but not yet acknowledged."""
    assert settings.queue_url is not None
    client = redis.Redis.from_url(settings.queue_url, socket_timeout=2, socket_connect_timeout=2)
    try:
        waiting = int(client.llen(QUEUE))
        unacked = int(client.hlen("unacked"))
    finally:
        client.close()
    return {"waiting": waiting, "unacked": unacked}
