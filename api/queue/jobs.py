"""Jobs on the queue (`SPECRAG_QUEUE_URL`): the API plans a job into files, records them in
the jobs database and enqueues one task per file; workers record each file's outcome there.

A job's status and progress are read from its files' rows on every request, so every API
instance answers alike and a restarted one goes on where the last left off. The worker that
finishes a job's last file writes the job's final row (its status for `GET /v1/jobs?status=`).
"""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from pathlib import Path
from typing import Any

from celery import Celery
from kombu.exceptions import OperationalError

from api.errors import ApiError
from api.jobs import KEEP_ON_DISK, Job, JobStore, Kind, Status
from api.queue.broker import QUEUE, TASK, make_broker, queue_depth
from api.queue.store import FileRow, NewFile, QueueStore
from api.services import Services
from api.settings import Settings
from ingest.discover import discover, doc_id_for
from ingest.pipeline import Pipeline

log = logging.getLogger(__name__)

POLL_SECONDS = 0.5  # wait_idle's polling of the database
ALIVE_SECONDS = 30.0  # a worker whose heartbeat is older is counted as gone


def job_view(job: Job, files: list[FileRow]) -> dict[str, Any]:
    """The job as JSON, its status and progress read from its files."""
    data = job.as_json()
    whole_failed = job.status == "failed" and job.error  # e.g. it could not be enqueued
    if whole_failed:
        pass  # as recorded
    elif not files:  # nothing to run: done when planned
        data["status"], data["finished_at"] = "done", job.finished_at or job.created_at
    elif all(f.finished for f in files):
        data["status"], data["finished_at"] = "done", max(f.updated_at for f in files)
    else:
        begun = any(f.attempts or f.finished for f in files)
        data["status"] = "running" if begun else "queued"
    started = [f.started_at for f in files if f.started_at is not None]
    data["started_at"] = min(started) if started else None
    data["progress"] = {
        "files_done": sum(1 for f in files if f.finished),
        "files_total": len(files),
        "chunks_embedded": sum(f.chunks for f in files if f.status == "done"),
    }
    data["errors"] = [
        {"path": f.path, "reason": f.reason or ""} for f in files if f.status == "failed"
    ]
    data["report"] = {
        "files": {
            state: sum(1 for f in files if f.status == state)
            for state in ("done", "skipped", "failed", "running", "queued")
        },
        "chunks": data["progress"]["chunks_embedded"],
        "per_file": [f.as_json() for f in files],
    }
    return data


def finalize(jobs: JobStore, queue: QueueStore, job_id: str) -> bool:
    """Record the job as finished if all its files are; True if it is."""
    job = jobs.get(job_id)
    if job is None:
        return True
    view = job_view(job, queue.files([job_id])[job_id])
    if view["status"] not in ("done", "failed"):
        return False
    jobs.save(view)
    return True


class QueueJobs:
    """The job runner of an API instance on the queue: same answers as `api.jobs.JobRunner`."""

    def __init__(
        self,
        *,
        jobs: JobStore,
        queue: QueueStore,
        broker: Celery,
        pipeline: Pipeline,
        settings: Settings,
    ) -> None:
        self.jobs = jobs
        self.queue = queue
        self.broker = broker
        self.pipeline = pipeline
        self._settings = settings  # for the Redis queue depth

    @classmethod
    def open(cls, services: Services, jobs: JobStore) -> QueueJobs:
        """The queue of `services.settings`, over the jobs database `jobs` is in."""
        return cls(
            jobs=jobs,
            queue=QueueStore(services.jobs_location),
            broker=make_broker(services.settings),
            pipeline=services.pipeline,
            settings=services.settings,
        )

    def start(self) -> None:
        """Nothing to recover (the jobs and their files are in the database); the oldest
        jobs beyond the last 5,000 are forgotten, files and all."""
        self.jobs.trim(KEEP_ON_DISK)
        self.queue.forget_trimmed()

    def stop(self, timeout: float = 10.0) -> None:
        """Queued jobs stay queued: the workers go on without this instance."""
        del timeout
        self.broker.close()
        self.queue.close()

    def submit(self, paths: list[Path], *, kind: Kind, prune: bool = False) -> dict[str, Any]:
        """Record the job and its files, and enqueue one task per file."""
        job = Job(id=uuid.uuid4().hex, kind=kind, paths=[str(p) for p in paths], prune=prune)
        found = discover(
            paths, roots=self.pipeline.roots, max_file_bytes=self.pipeline.max_file_bytes
        )
        files = [self._new_file(source.path, source.doc_id, kind) for source in found.files]
        files += [NewFile(p.path, doc_id_for(p.path), failed=p.reason) for p in found.failed]
        if prune:
            self._prune(paths)
        job.files_total = len(files)
        self.jobs.save(job.as_json())
        self.queue.add(job.id, files)
        fingerprint = self.pipeline.fingerprint
        try:
            for f in files:
                if f.failed is None:
                    self.broker.send_task(TASK, args=[job.id, f.path, fingerprint], queue=QUEUE)
        except OperationalError as e:
            job.status, job.error, job.finished_at = (
                "failed",
                f"queue unavailable: {e}",
                time.time(),
            )
            self.jobs.save(job.as_json())
            raise ApiError(
                503, "queue_unavailable", f"job {job.id}: cannot reach the ingest queue: {e}"
            ) from e
        finalize(self.jobs, self.queue, job.id)  # a job with nothing to run is done at once
        log.info("job %s queued: %s, %d file(s)", job.id, kind, len(files))
        found_job = self.get(job.id)
        assert found_job is not None
        return found_job

    @staticmethod
    def _new_file(path: str, doc_id: str, kind: Kind) -> NewFile:
        if kind != "upload":
            return NewFile(path, doc_id)
        body = Path(path).read_bytes()  # the worker may run on another machine
        return NewFile(path, doc_id, body=body, sha256=hashlib.sha256(body).hexdigest())

    def _prune(self, paths: list[Path]) -> None:
        """Documents gone from the folders asked for are deleted here, before any task runs."""
        for item in self.pipeline.deletions(paths):
            self.pipeline.delete(item.doc_id)
            log.info("pruned %s: gone from %s", item.doc_id, item.path)

    def get(self, job_id: str) -> dict[str, Any] | None:
        job = self.jobs.get(job_id)
        if job is None:
            return None
        return job_view(job, self.queue.files([job_id])[job_id])

    def recent(
        self, *, status: Status | None = None, limit: int = 50, offset: int = 0
    ) -> tuple[int, list[dict[str, Any]]]:
        total, found = self.jobs.recent(status=status, limit=limit, offset=offset)
        files = self.queue.files(job.id for job in found)
        return total, [job_view(job, files[job.id]) for job in found]

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until no job is queued or running; False on timeout."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            _, active = self.jobs.recent(status="queued", limit=1, offset=0)
            _, running = self.jobs.recent(status="running", limit=1, offset=0)
            if not active and not running:
                return True
            if deadline is not None and time.monotonic() > deadline:
                return False
            time.sleep(POLL_SECONDS)

    def status(self) -> dict[str, Any]:
        """The queue's depth and the workers' heartbeats, for /readyz and /metrics."""
        now = time.time()
        rows = self.queue.workers()
        workers = [
            {
                "name": w.name,
                "alive": now - w.last_seen < ALIVE_SECONDS,
                "last_heartbeat": w.last_seen,
                "seconds_since_heartbeat": round(now - w.last_seen, 1),
                "fingerprint": w.fingerprint,
                "tasks": {"done": w.done, "retried": w.retried, "failed": w.failed},
            }
            for w in rows
        ]
        return {
            "depth": queue_depth(self._settings),
            "workers_alive": sum(1 for w in workers if w["alive"]),
            "workers": workers,
            "tasks_retried": sum(w.retried for w in rows),
            "tasks_failed": sum(w.failed for w in rows),
        }
