"""`specrag worker`: runs the ingest pipeline (`ingest.pipeline.Pipeline`, the one `specrag
ingest` runs) for one file per task, writing to the Chroma server and the shared database.

Safe to run twice: a task whose file is finished returns at once, and a file redone after a
crash plans as `add` (no ledger row yet) and upserts the same `{doc_id}:{index}` ids, then
drops stale ones, so a half-written first attempt leaves neither duplicates nor gaps; an
unchanged file (content hash, fingerprint and chunks as the ledger says) is skipped; two
tasks of one document (two jobs, two versions of a file) take turns on a Redis lock. Every
attempt is counted in the file's row; after `MAX_ATTEMPTS` (crashes included: a file that
kills its worker each time) the file fails with the last reason.

Workers need no file system of the API's: an uploaded file's bytes come from the jobs
database and are written to this machine's uploads folder, which must have the API's path
(the same `SPECRAG_DATA_DIR` on every machine), so its doc id and citations are the same.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import redis
from celery import Celery, Task
from celery.signals import worker_process_init
from redis.exceptions import LockError

from api.errors import WorkerRefused
from api.jobs import JobStore
from api.queue.broker import TASK, make_broker, visibility_timeout
from api.queue.jobs import finalize
from api.queue.store import FileRow, FileStatus, QueueStore
from api.services import SERVER_ORPHAN_GRACE, Services
from api.settings import Settings
from ingest.discover import sha256_of
from ingest.pipeline import Pipeline

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
LOCK_SLACK_SECONDS = 60  # beyond the visibility timeout, waiting for a document's lock
MAX_REFUSALS = 12  # a file refused by workers of other settings: a minute, then it fails
RETRY_SECONDS = 5
HEARTBEAT_SECONDS = 5.0
PROCESS_START_SECONDS = 300.0  # a process loads its model before it reports up


def default_name() -> str:
    return f"specrag-{os.getpid()}@{socket.gethostname()}"


def uploads_folder(settings: Settings) -> Path:
    """Where uploads land, on every machine (`api.routes.documents.uploads_dir`)."""
    return (settings.data_dir / "uploads").resolve()


def worker_pipeline(services: Services) -> Pipeline:
    """The pipeline over one file at a time: parsed in this process, no lock across the data
    dir (other workers write other files at once), and orphans kept for an hour (another
    worker's file between its chunks and its ledger row). The lexical index is the API's."""
    s = services.settings
    roots = [*s.roots, uploads_folder(s)] if s.roots else []
    return Pipeline(
        store=services.store,
        ledger=services.ledger,
        embedder=services.embedder,
        chunking=services.chunk_options,
        roots=roots,
        max_file_bytes=s.max_file_bytes,
        workers=0,
        store_batch=s.store_batch,
        orphan_grace=SERVER_ORPHAN_GRACE,
    )


def refusal(pipeline: Pipeline, queue: QueueStore, name: str) -> str | None:
    """Why a worker with `pipeline`'s fingerprint must not join (None: it may): the index
    holds documents made with another, or a live worker writes with another."""
    ours = pipeline.fingerprint
    indexed = {r.fingerprint for r in pipeline.ledger.all() if r.status == "ok"} - {ours}
    if indexed:
        return (
            f"worker {name} indexes with {ours!r} (pipeline version, encoding, chunk tokens, "
            f"overlap, embedding model) but the index holds documents made with "
            f"{', '.join(sorted(indexed))}: start it with the index's SPECRAG_EMBED_MODEL, "
            "SPECRAG_CHUNK_TOKENS, SPECRAG_CHUNK_OVERLAP and SPECRAG_ENCODING, or re-index "
            "with `specrag ingest` first; vectors of two settings are never mixed"
        )
    now = time.time()
    others = {
        w.fingerprint
        for w in queue.workers()
        if w.name != name and now - w.last_seen < 3 * HEARTBEAT_SECONDS and w.fingerprint != ours
    }
    if others:
        return (
            f"worker {name} indexes with {ours!r} but live workers index with "
            f"{', '.join(sorted(others))}; start it with the same settings as theirs"
        )
    return None


@dataclass
class Context:
    """What one worker process builds on its first task and keeps."""

    services: Services
    pipeline: Pipeline
    jobs: JobStore
    queue: QueueStore
    redis: redis.Redis

    @contextmanager
    def document_lock(self, doc_id: str) -> Iterator[None]:
        """One worker at a time on a document (two jobs may hold the same file, in two
        versions): a Redis lock that expires with the task's visibility timeout, so the
        lock of a worker that died is free by the time its task is handed to another."""
        s = self.services.settings
        seconds = visibility_timeout(s)
        lock = self.redis.lock(
            f"specrag:{s.collection}:document:{doc_id}",
            timeout=seconds,
            blocking_timeout=seconds + LOCK_SLACK_SECONDS,
        )
        if not lock.acquire():
            raise TimeoutError(f"document {doc_id} stayed locked by another worker")
        try:
            yield
        finally:
            try:
                lock.release()
            except LockError:  # expired (a file slower than its limit), or Redis restarted
                log.warning("the lock of document %s was gone before its release", doc_id)


_context: Context | None = None
_context_lock = threading.Lock()


def context() -> Context:
    global _context
    with _context_lock:
        if _context is None:
            settings = Settings()
            assert settings.queue_url is not None
            services = Services(settings)
            location = services.jobs_location
            _context = Context(
                services,
                worker_pipeline(services),
                JobStore(location),
                QueueStore(location),
                redis.Redis.from_url(settings.queue_url),
            )
        return _context


def build_app(settings: Settings) -> Celery:
    """The Celery app with the ingest task registered."""
    app = make_broker(settings)

    # bound to the task (it retries itself); attempts are bounded by MAX_ATTEMPTS instead
    app.task(name=TASK, bind=True, max_retries=None)(run_task)
    app.conf.update(worker_proc_alive_timeout=PROCESS_START_SECONDS)
    worker_process_init.connect(_preload, weak=False)
    return app


def _preload(**_: object) -> None:
    """Each worker process loads the model as it starts, not during its first file."""
    embedder = context().services.embedder
    embedder.model  # noqa: B018
    log.info("worker process %d ready: embedding model %s loaded", os.getpid(), embedder.name)


def run_task(task: Task[Any, Any], job_id: str, path: str, fingerprint: str) -> str:
    """One file of one job; returns its outcome (for the worker's log)."""
    ctx = context()
    name = str(task.request.hostname or default_name())
    row = ctx.queue.file(job_id, path)
    if row is None or row.finished:  # delivered again after it was done, or the job is gone
        return "already finished"
    if row.attempts >= MAX_ATTEMPTS:
        return _finish(
            ctx,
            name,
            row,
            "failed",
            0,
            f"gave up after {row.attempts} attempts "
            f"(a worker died or failed each time); last: {row.reason or 'worker lost'}",
        )
    ours = ctx.pipeline.fingerprint
    if fingerprint != ours:
        reason = (
            f"worker {name} indexes with {ours!r}, the job was queued for {fingerprint!r}: "
            "left for a worker with the API's settings"
        )
        if task.request.retries >= MAX_REFUSALS:
            return _finish(ctx, name, row, "failed", 0, reason)
        return _retry(task, ctx, name, row, reason)
    ctx.queue.start(job_id, path, name)
    try:
        with ctx.document_lock(row.doc_id):
            status, chunks, note = _ingest(ctx, row)
    except Exception as e:  # recorded with the file; retried while attempts remain
        log.exception("%s: attempt %d failed", path, row.attempts + 1)
        note = f"{type(e).__name__}: {e}"
        if row.attempts + 1 < MAX_ATTEMPTS:
            return _retry(task, ctx, name, row, note)
        status, chunks = "failed", 0
    return _finish(ctx, name, row, status, chunks, note)


def _retry(task: Task[Any, Any], ctx: Context, name: str, row: FileRow, reason: str) -> str:
    ctx.queue.retrying(row.job_id, row.path, reason)
    ctx.queue.count(name, "retried")
    raise task.retry(countdown=RETRY_SECONDS, max_retries=None)


def _finish(
    ctx: Context, name: str, row: FileRow, status: FileStatus, chunks: int, reason: str | None
) -> str:
    ctx.queue.finish(row.job_id, row.path, status, chunks=chunks, reason=reason)
    ctx.queue.count(name, "failed" if status == "failed" else "done")
    finalize(ctx.jobs, ctx.queue, row.job_id)
    log.info("%s: %s (%d chunks)%s", row.path, status, chunks, f": {reason}" if reason else "")
    return status


def _ingest(ctx: Context, row: FileRow) -> tuple[FileStatus, int, str | None]:
    upload = ctx.queue.upload(row.job_id, row.path)
    if upload is not None:
        _materialise(ctx.services.settings, Path(row.path), *upload)
    # Its own chunks only: no sweep of the whole collection per file (orphans of a file given
    # up on stay until `specrag repair` or an API start removes them), and the records of
    # other documents that its ledger row lists (texts it shares: `ingest.pipeline.share`).
    store = ctx.pipeline.store
    held = store.ids_for(row.doc_id)
    if (listed := ctx.pipeline.ledger.get(row.doc_id)) is not None:
        held |= store.present([i for i in listed.chunk_ids if i not in held])
    report = ctx.pipeline.run([Path(row.path)], held=held)
    if report.failed:
        return "failed", 0, report.errors[0].reason if report.errors else "failed"
    record = ctx.pipeline.ledger.get(row.doc_id)
    chunks = len(record.chunk_ids) if record is not None else 0
    if report.ok:
        return "done", chunks, None
    note = report.notes[0].reason if report.notes else "unchanged since it was indexed"
    return "skipped", chunks, note


def _materialise(settings: Settings, target: Path, sha256: str, body: bytes) -> None:
    """Write an uploaded file's bytes where the API placed it (unless they are there)."""
    folder = uploads_folder(settings)
    if target.parent != folder:
        raise WorkerRefused(
            f"{target}: uploaded under {target.parent}, but this worker's uploads folder is "
            f"{folder}; give every machine the same SPECRAG_DATA_DIR path"
        )
    if target.is_file() and sha256_of(target) == sha256:
        return
    folder.mkdir(parents=True, exist_ok=True)
    temporary = folder / f".upload-{uuid.uuid4().hex}"
    try:
        temporary.write_bytes(body)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


class Heartbeat:
    """Records, every few seconds, that this worker is alive (for `/readyz`, `/metrics`)."""

    def __init__(self, queue: QueueStore, name: str, fingerprint: str) -> None:
        self.queue = queue
        self.name = name
        self.fingerprint = fingerprint
        self.started_at = time.time()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="specrag-heartbeat", daemon=True)

    def start(self) -> None:
        self.queue.heartbeat(self.name, self.fingerprint, self.started_at)
        # Celery's pool processes are forked from this one: never on its database connections.
        os.register_at_fork(after_in_child=self.queue.after_fork)
        self._thread.start()

    def _beat(self) -> None:
        while not self._stop.wait(HEARTBEAT_SECONDS):
            try:
                self.queue.heartbeat(self.name, self.fingerprint, self.started_at)
            except Exception:  # the database is away for a moment: next beat
                log.exception("worker %s: heartbeat not recorded", self.name)

    def stop(self) -> None:
        self._stop.set()
