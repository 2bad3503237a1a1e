"""Background ingest jobs: one worker thread runs them in order, one at a time.

The pipeline holds a file lock for the whole of a run, so two runs could never overlap
anyway; one worker makes the order explicit and keeps request threads free. Jobs live in
memory while the process runs and in a small table (`ingest.storage`) across restarts: a job
the previous process left queued or running is marked failed on start, with the reason.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from ingest.errors import DiskFull, disk_full_reason
from ingest.pipeline import Pipeline
from ingest.pipeline.report import Report
from ingest.storage.engine import open_database, upsert
from ingest.storage.tables import jobs

log = logging.getLogger(__name__)

Status = Literal["queued", "running", "done", "failed"]
Kind = Literal["ingest", "upload"]
KEEP_IN_MEMORY = 500  # finished jobs kept in memory; older ones are read back from the store
KEEP_ON_DISK = 5000
INTERRUPTED = "the server stopped before this job finished; submit it again"


@dataclass(slots=True)
class Job:
    id: str
    kind: Kind
    paths: list[str]
    prune: bool = False
    status: Status = "queued"
    created_at: float = field(default_factory=time.time)
    started_at: float | None = None
    finished_at: float | None = None
    files_done: int = 0
    files_total: int = 0
    chunks_embedded: int = 0
    current_file: str | None = None  # the name of the file the run has reached, while it runs
    errors: list[dict[str, str]] = field(default_factory=list)
    report: dict[str, Any] | None = None
    error: str | None = None  # the job as a whole failed (per-file failures are in `errors`)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "status": self.status,
            "paths": list(self.paths),
            "prune": self.prune,
            "created_at": self.created_at,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "progress": {
                "files_done": self.files_done,
                "files_total": self.files_total,
                "chunks_embedded": self.chunks_embedded,
                "current_file": self.current_file,
            },
            "errors": [dict(e) for e in self.errors],
            "report": self.report,
            "error": self.error,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Job:
        progress = data.get("progress") or {}
        return cls(
            id=data["id"],
            kind=data["kind"],
            paths=list(data["paths"]),
            prune=bool(data.get("prune")),
            status=data["status"],
            created_at=float(data["created_at"]),
            started_at=data.get("started_at"),
            finished_at=data.get("finished_at"),
            files_done=int(progress.get("files_done", 0)),
            files_total=int(progress.get("files_total", 0)),
            chunks_embedded=int(progress.get("chunks_embedded", 0)),
            current_file=progress.get("current_file"),
            errors=list(data.get("errors") or []),
            report=data.get("report"),
            error=data.get("error"),
        )


class JobStore:
    """The jobs table: one JSON row per job, at `location` (a SQLite file or a SQLAlchemy URL)."""

    def __init__(self, location: Path | str) -> None:
        self._db = open_database(location, store="jobs")

    def save(self, job: dict[str, Any]) -> None:
        row = {
            "id": job["id"],
            "created_at": job["created_at"],
            "status": job["status"],
            "body": json.dumps(job, ensure_ascii=False),
        }
        with self._db.write() as connection:
            connection.execute(upsert(connection, jobs, ["id"]), row)

    def get(self, job_id: str) -> Job | None:
        with self._db.read() as connection:
            body = connection.execute(sa.select(jobs.c.body).where(jobs.c.id == job_id)).scalar()
        return Job.from_json(json.loads(body)) if body is not None else None

    def recent(self, *, status: Status | None, limit: int, offset: int) -> tuple[int, list[Job]]:
        """(how many jobs match, the page of them), newest first."""
        where = [jobs.c.status == status] if status is not None else []
        query = (
            sa.select(jobs.c.body)
            .where(*where)
            .order_by(jobs.c.created_at.desc(), jobs.c.id)
            .limit(limit)
            .offset(offset)
        )
        count = sa.select(sa.func.count()).select_from(jobs).where(*where)
        with self._db.read() as connection:
            total = int(connection.execute(count).scalar_one())
            bodies = connection.execute(query).scalars().all()
        return total, [Job.from_json(json.loads(body)) for body in bodies]

    def interrupted(self) -> list[Job]:
        query = sa.select(jobs.c.body).where(jobs.c.status.in_(["queued", "running"]))
        with self._db.read() as connection:
            bodies = connection.execute(query).scalars().all()
        return [Job.from_json(json.loads(body)) for body in bodies]

    def trim(self, keep: int) -> None:
        newest = sa.select(jobs.c.id).order_by(jobs.c.created_at.desc()).limit(keep)
        with self._db.write() as connection:
            connection.execute(sa.delete(jobs).where(jobs.c.id.not_in(newest)))

    def close(self) -> None:
        self._db.close()


Finished = Callable[[Status, Report | None], None]  # called before the job shows as finished


class Jobs(Protocol):
    """What the routes use of a job runner: this module's, or the queue's (`api.queue.jobs`)."""

    def start(self) -> None: ...
    def stop(self, timeout: float = 10.0) -> None: ...
    def submit(self, paths: list[Path], *, kind: Kind, prune: bool = False) -> dict[str, Any]: ...
    def get(self, job_id: str) -> dict[str, Any] | None: ...
    def recent(
        self, *, status: Status | None = None, limit: int = 50, offset: int = 0
    ) -> tuple[int, list[dict[str, Any]]]: ...
    def wait_idle(self, timeout: float | None = None) -> bool: ...


class JobRunner:
    """Queues ingest jobs and runs them on one worker thread."""

    def __init__(
        self,
        pipeline: Pipeline,
        *,
        store: JobStore | None = None,
        on_finish: Finished | None = None,
    ) -> None:
        self.pipeline = pipeline
        self.store = store
        self.on_finish = on_finish
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._idle = threading.Condition(self._lock)

    def start(self) -> None:
        if self.store is not None:
            for job in self.store.interrupted():
                self._close_interrupted(job)
                self.store.save(job.as_json())
            self.store.trim(KEEP_ON_DISK)
        self._thread = threading.Thread(target=self._work, name="specrag-jobs", daemon=True)
        self._thread.start()

    def _close_interrupted(self, job: Job) -> None:
        """A job the previous process left queued or running, reported with what it did:
        the files whose ledger rows it committed since it started (those stay indexed, and
        a new run skips them). A job killed after its last commit is done; the rest failed."""
        job.finished_at = job.finished_at or time.time()
        status: Status = "failed"
        error: str | None = INTERRUPTED
        if job.started_at is not None:
            committed = [
                {"path": r.source, "status": r.status}
                for r in self.pipeline.ledger.all()
                if r.updated_at >= job.started_at and _under(r.source, job.paths)
            ]
            job.files_done = max(job.files_done, len(committed))
            job.report = {"interrupted": True, "committed": committed}
            job.errors = [
                {"path": r["path"], "reason": "failed (see GET /v1/documents)"}
                for r in committed
                if r["status"] == "failed"
            ]
            if committed:
                error = (
                    f"the server stopped before this job finished, after committing "
                    f"{len(committed)} file(s) (in report.committed); submit it again to "
                    "finish: committed files are skipped"
                )
            if committed and job.files_total and len(committed) >= job.files_total:
                status, error = "done", None
        job.status, job.error = status, error

    def stop(self, timeout: float = 10.0) -> None:
        """Let the running job finish (up to `timeout` s); queued jobs are marked failed."""
        with self._lock:
            queued = [job for job in self._jobs.values() if job.status == "queued"]
            for job in queued:
                job.status, job.error, job.finished_at = "failed", INTERRUPTED, time.time()
            self._idle.notify_all()
        for job in queued:
            self._persist(job)
        self._queue.put(None)
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning("an ingest job is still running at shutdown; re-running it converges")

    def submit(self, paths: list[Path], *, kind: Kind, prune: bool = False) -> dict[str, Any]:
        """Queue a run over `paths`; returns the new job as JSON."""
        job = Job(id=uuid.uuid4().hex, kind=kind, paths=[str(p) for p in paths], prune=prune)
        with self._lock:
            self._jobs[job.id] = job
            snapshot = job.as_json()
        if self.store is not None:
            self.store.save(snapshot)
        self._queue.put(job.id)
        log.info("job %s queued: %s %d path(s)", job.id, kind, len(paths))
        return snapshot

    def get(self, job_id: str) -> dict[str, Any] | None:
        """The job as JSON (a consistent snapshot), or None if unknown."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is not None:
                return job.as_json()
        found = self.store.get(job_id) if self.store is not None else None
        return found.as_json() if found is not None else None

    def recent(
        self, *, status: Status | None = None, limit: int = 50, offset: int = 0
    ) -> tuple[int, list[dict[str, Any]]]:
        """(how many jobs match, the page of them as JSON), newest first: from the store,
        each with its live progress when this process runs it; from memory without a store."""
        if self.store is not None:
            total, stored = self.store.recent(status=status, limit=limit, offset=offset)
            with self._lock:
                live = [self._jobs.get(job.id, job).as_json() for job in stored]
            return total, live
        with self._lock:
            matching = [j for j in self._jobs.values() if status is None or j.status == status]
            matching.sort(key=lambda j: j.created_at, reverse=True)
            return len(matching), [j.as_json() for j in matching[offset : offset + limit]]

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until no job is queued or running; False on timeout."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._idle:
            while any(j.status in ("queued", "running") for j in self._jobs.values()):
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                self._idle.wait(remaining)
        return True

    def _persist(self, job: Job) -> None:
        with self._lock:
            snapshot = job.as_json()
        self._save(snapshot)

    def _save(self, snapshot: dict[str, Any]) -> None:
        if self.store is None:
            return
        try:
            self.store.save(snapshot)
        except SQLAlchemyError:
            log.exception("cannot record job %s", snapshot["id"])

    def _work(self) -> None:
        while True:
            job_id = self._queue.get()
            if job_id is None:
                return
            with self._lock:
                job = self._jobs.get(job_id)
                if job is None or job.status != "queued":
                    continue
                job.status, job.started_at = "running", time.time()
            self._persist(job)
            self._run(job)

    def _run(self, job: Job) -> None:
        saved = [0]

        def progress(done: int, total: int, chunks: int, current: str | None) -> None:
            with self._lock:
                job.files_done, job.files_total, job.chunks_embedded = done, total, chunks
                job.current_file = Path(current).name if current and done < total else None
            if done != saved[0]:  # kept as files finish: a restart knows how far it got
                saved[0] = done
                self._persist(job)

        report: Report | None = None
        status: Status = "done"
        error: str | None = None
        try:
            report = self.pipeline.run(
                [Path(p) for p in job.paths], prune=job.prune, progress=progress
            )
        except Exception as e:  # the job fails with its reason; the worker goes on
            log.exception("job %s failed", job.id)
            status, error = "failed", f"{type(e).__name__}: {e}"
            full = disk_full_reason(e)
            if full is not None and not isinstance(e, DiskFull):
                lock = self.pipeline.lock_path
                where = lock.parent if lock is not None else "(the data dir)"
                error = f"DiskFull: {DiskFull(where, full)}"
        if self.on_finish is not None:
            try:
                self.on_finish(status, report)
            except Exception:
                log.exception("job %s: finish hook failed", job.id)
        # Published last: whoever sees the job finished also sees its metrics.
        with self._idle:
            if report is not None:
                job.report = report.as_json()
                job.errors = [{"path": p.path, "reason": p.reason} for p in report.errors]
                job.files_done = job.files_total = report.ok + report.failed + report.skipped
            job.status, job.error, job.finished_at = status, error, time.time()
            job.current_file = None
            # Stored under the lock: no reader sees the job finished in memory while the
            # store (which `recent` filters by status) still says it runs.
            self._save(job.as_json())
            self._forget_old()
            self._idle.notify_all()
        log.info("job %s %s", job.id, job.status)

    def _forget_old(self) -> None:
        finished = [k for k, j in self._jobs.items() if j.status in ("done", "failed")]
        for key in finished[: max(0, len(finished) - KEEP_IN_MEMORY)]:
            del self._jobs[key]


def _under(source: str, paths: list[str]) -> bool:
    """Is `source` one of `paths` or inside one of them?"""
    target = Path(source)
    return any(target == Path(p) or target.is_relative_to(p) for p in paths)
