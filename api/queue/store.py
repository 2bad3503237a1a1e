"""The ingest queue's rows in the jobs database: each job's files and their progress, the
bytes of uploaded files until a worker has ingested them, and the workers' heartbeats.

Every API instance and every worker reads and writes the same rows (a shared SQLite file on
one machine, PostgreSQL across machines), so any instance answers `GET /v1/jobs/{id}` alike
and a restart forgets nothing. Celery carries only (job id, path, fingerprint).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import sqlalchemy as sa

from ingest.storage.engine import open_database, upsert
from ingest.storage.tables import job_files, jobs, uploads, workers

FileStatus = Literal["queued", "running", "done", "skipped", "failed"]
FINISHED: frozenset[str] = frozenset({"done", "skipped", "failed"})


@dataclass(frozen=True, slots=True)
class FileRow:
    job_id: str
    path: str
    doc_id: str
    status: FileStatus
    attempts: int
    chunks: int
    reason: str | None
    worker: str | None
    started_at: float | None
    updated_at: float

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    def as_json(self) -> dict[str, object]:
        return {
            "path": self.path,
            "doc_id": self.doc_id,
            "status": self.status,
            "attempts": self.attempts,
            "chunks": self.chunks,
            "reason": self.reason,
            "worker": self.worker,
            "started_at": self.started_at,
            "updated_at": self.updated_at,
        }


@dataclass(frozen=True, slots=True)
class NewFile:
    """A file a job covers, as the API queues it: its bytes when it was uploaded, or already
    failed (refused while the job was planned) with the reason."""

    path: str
    doc_id: str
    body: bytes | None = None
    sha256: str = ""
    failed: str | None = None


@dataclass(frozen=True, slots=True)
class WorkerRow:
    name: str
    fingerprint: str
    started_at: float
    last_seen: float
    done: int
    retried: int
    failed: int


FILE_COLUMNS = [job_files.c[name] for name in FileRow.__slots__]
Counter = Literal["done", "retried", "failed"]


class QueueStore:
    """The queue's tables, at `location` (a SQLite file or a SQLAlchemy URL: the jobs store's)."""

    def __init__(self, location: Path | str) -> None:
        self._db = open_database(location, store="jobs")

    def add(self, job_id: str, files: list[NewFile]) -> None:
        """A job's files (and uploaded bytes), in one transaction."""
        now = time.time()
        rows = [
            {
                "job_id": job_id,
                "path": f.path,
                "doc_id": f.doc_id,
                "status": "failed" if f.failed else "queued",
                "reason": f.failed,
                "updated_at": now,
            }
            for f in files
        ]
        blobs = [
            {"job_id": job_id, "path": f.path, "sha256": f.sha256, "body": f.body}
            for f in files
            if f.body is not None
        ]
        with self._db.write() as connection:
            if rows:
                connection.execute(sa.insert(job_files), rows)
            if blobs:
                connection.execute(sa.insert(uploads), blobs)

    def file(self, job_id: str, path: str) -> FileRow | None:
        query = sa.select(*FILE_COLUMNS).where(
            job_files.c.job_id == job_id, job_files.c.path == path
        )
        with self._db.read() as connection:
            row = connection.execute(query).one_or_none()
        return FileRow(*row) if row is not None else None

    def files(self, job_ids: Iterable[str]) -> dict[str, list[FileRow]]:
        """Each job's files, in path order."""
        ids = list(job_ids)
        found: dict[str, list[FileRow]] = {job_id: [] for job_id in ids}
        if not ids:
            return found
        query = (
            sa.select(*FILE_COLUMNS)
            .where(job_files.c.job_id.in_(ids))
            .order_by(job_files.c.job_id, job_files.c.path)
        )
        with self._db.read() as connection:
            for row in connection.execute(query):
                found[row.job_id].append(FileRow(*row))
        return found

    def start(self, job_id: str, path: str, worker: str) -> None:
        """A worker takes the file (again, after a crash or a retry): one more attempt; the
        job shows as running."""
        now = time.time()
        with self._db.write() as connection:
            connection.execute(
                sa.update(job_files)
                .where(job_files.c.job_id == job_id, job_files.c.path == path)
                .values(
                    status="running",
                    attempts=job_files.c.attempts + 1,
                    worker=worker,
                    started_at=now,
                    updated_at=now,
                )
            )
            connection.execute(
                sa.update(jobs)
                .where(jobs.c.id == job_id, jobs.c.status == "queued")
                .values(status="running")
            )

    def finish(
        self, job_id: str, path: str, status: FileStatus, *, chunks: int, reason: str | None
    ) -> None:
        """The file's outcome; its uploaded bytes are no longer needed."""
        with self._db.write() as connection:
            connection.execute(
                sa.update(job_files)
                .where(job_files.c.job_id == job_id, job_files.c.path == path)
                .values(status=status, chunks=chunks, reason=reason, updated_at=time.time())
            )
            connection.execute(
                sa.delete(uploads).where(uploads.c.job_id == job_id, uploads.c.path == path)
            )

    def retrying(self, job_id: str, path: str, reason: str) -> None:
        """The file goes back in the queue, with why its last attempt failed."""
        with self._db.write() as connection:
            connection.execute(
                sa.update(job_files)
                .where(job_files.c.job_id == job_id, job_files.c.path == path)
                .values(status="queued", reason=reason, updated_at=time.time())
            )

    def upload(self, job_id: str, path: str) -> tuple[str, bytes] | None:
        """(sha256, bytes) of an uploaded file not yet ingested, or None."""
        query = sa.select(uploads.c.sha256, uploads.c.body).where(
            uploads.c.job_id == job_id, uploads.c.path == path
        )
        with self._db.read() as connection:
            row = connection.execute(query).one_or_none()
        return (row.sha256, bytes(row.body)) if row is not None else None

    def heartbeat(self, name: str, fingerprint: str, started_at: float) -> None:
        """The worker is alive now (its counters kept)."""
        now = time.time()
        with self._db.write() as connection:
            updated = connection.execute(
                sa.update(workers)
                .where(workers.c.name == name)
                .values(fingerprint=fingerprint, started_at=started_at, last_seen=now)
            )
            if updated.rowcount == 0:
                row = {
                    "name": name,
                    "fingerprint": fingerprint,
                    "started_at": started_at,
                    "last_seen": now,
                }
                connection.execute(upsert(connection, workers, ["name"]), row)

    def count(self, name: str, counter: Counter) -> None:
        column = workers.c[counter]
        with self._db.write() as connection:
            connection.execute(
                sa.update(workers).where(workers.c.name == name).values({column: column + 1})
            )

    def workers(self) -> list[WorkerRow]:
        query = sa.select(*(workers.c[name] for name in WorkerRow.__slots__)).order_by(
            workers.c.name
        )
        with self._db.read() as connection:
            return [WorkerRow(*row) for row in connection.execute(query)]

    def forget_trimmed(self) -> None:
        """Drop the files and uploads of jobs no longer in the jobs table (trimmed)."""
        kept = sa.select(jobs.c.id)
        with self._db.write() as connection:
            for table in (job_files, uploads):
                connection.execute(sa.delete(table).where(table.c.job_id.not_in(kept)))

    def after_fork(self) -> None:
        """In a forked child: drop the parent's pooled connections without closing them (they
        are the parent's), so the child opens its own if it ever queries."""
        self._db.engine.dispose(close=False)

    def close(self) -> None:
        self._db.close()
