"""The ingest run: plan, parse and chunk in worker processes, embed in this one, store.

Parsing and chunking run in a process pool while this process keeps the encoder busy:
chunks from finished files are embedded in full batches as they arrive, so parsing the
next files overlaps with embedding. With OpenVINO's throughput hint the encoder has streams
(one per core here), and one batch per stream is kept in flight from threads, while this
thread takes parsed files in and writes Chroma. A file is committed to the ledger only after all of
its chunks are in Chroma and its stale chunks are gone, so a run killed at any instant
and run again converges to the index a clean run builds.
"""

from __future__ import annotations

import fcntl
import logging
import multiprocessing
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import (
    FIRST_COMPLETED,
    Executor,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

import numpy as np

from ingest.discover import Discovery, FileProblem, SourceFile, discover, sha256_of
from ingest.document import Chunk
from ingest.embed import Embedder, WindowCheck
from ingest.errors import IngestError
from ingest.ledger import Ledger, Record
from ingest.store import ChromaStore
from ingest.tokens import get_encoding

log = logging.getLogger(__name__)

# Bump when parsing or chunking changes what a file turns into: every file is then redone.
PIPELINE_VERSION = "1"

Action = Literal["add", "update", "skip", "delete"]


@dataclass(frozen=True, slots=True)
class ChunkOptions:
    max_tokens: int = 256
    overlap: int = 32
    encoding: str = "cl100k_base"


@dataclass(frozen=True, slots=True)
class PlanItem:
    action: Action
    path: str
    doc_id: str
    file: SourceFile | None = None
    sha256: str = ""
    record: Record | None = None


@dataclass(slots=True)
class Plan:
    items: list[PlanItem]
    discovery: Discovery

    def of(self, action: Action) -> list[PlanItem]:
        return [item for item in self.items if item.action == action]

    def summary(self) -> dict[str, int]:
        return {action: len(self.of(action)) for action in ("add", "update", "delete", "skip")}


@dataclass(slots=True)
class Report:
    """What a run did; `as_json()` is the CLI's `--json` shape."""

    ok: int = 0
    skipped: int = 0
    failed: int = 0
    errors: list[FileProblem] = field(default_factory=list)
    notes: list[FileProblem] = field(default_factory=list)  # unsupported files, page warnings
    added: int = 0
    updated: int = 0
    deleted: int = 0
    embedded: int = 0
    documents_deleted: int = 0
    seconds: float = 0.0
    # Where the time went, in seconds: plan (hashing), load (the model, beyond the first
    # files' parsing), wait (the encoder idle, waiting for parsed files), embed (the encoder
    # busy), store (Chroma writes), commit (stale ids, ledger), derived (the lexical index),
    # and parse_cpu (the workers' own time, spent alongside the rest). With more than one
    # encoder stream, store and commit run while the encoder is busy: the stages overlap.
    stages: dict[str, float] = field(default_factory=dict)

    def add_time(self, stage: str, seconds: float) -> None:
        self.stages[stage] = self.stages.get(stage, 0.0) + seconds

    def as_json(self) -> dict[str, Any]:
        return {
            "files": {"ok": self.ok, "skipped": self.skipped, "failed": self.failed},
            "errors": [asdict(e) for e in self.errors],
            "skipped": [asdict(n) for n in self.notes],
            "chunks": {
                "added": self.added,
                "updated": self.updated,
                "deleted": self.deleted,
                "embedded": self.embedded,
            },
            "documents_deleted": self.documents_deleted,
            "seconds": round(self.seconds, 3),
            "stages": {k: round(v, 3) for k, v in self.stages.items()},
        }


@dataclass(slots=True)
class Prepared:
    """A worker's result for one file: its chunks, or why there are none."""

    title: str = ""
    chunks: list[Chunk] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0
    cpu_seconds: float = 0.0


@cache
def _window(model_dir: str) -> WindowCheck:
    return WindowCheck(Path(model_dir))


def prepare(path: str, options: ChunkOptions, model_dir: str) -> Prepared:
    """Parse and chunk one file (runs in a worker process). Never raises for a bad file."""
    began = time.thread_time()
    prepared = _prepare(path, options, model_dir)
    prepared.cpu_seconds = time.thread_time() - began
    return prepared


def _prepare(path: str, options: ChunkOptions, model_dir: str) -> Prepared:
    from ingest.chunk import chunk_document
    from ingest.parse import parse_file

    started = time.perf_counter()
    try:
        doc = parse_file(Path(path))
        chunks = chunk_document(
            doc,
            max_tokens=options.max_tokens,
            overlap=options.overlap,
            encoding=get_encoding(options.encoding),
            fits=_window(model_dir),
        )
    except IngestError as e:
        return Prepared(error=str(e), seconds=time.perf_counter() - started)
    except Exception as e:  # a parser bug on one file must not stop the batch
        log.exception("unexpected failure preparing %s", path)
        return Prepared(error=f"{type(e).__name__}: {e}", seconds=time.perf_counter() - started)
    if not chunks:
        return Prepared(
            title=doc.title,
            warnings=doc.warnings,
            error="no text to index",
            seconds=time.perf_counter() - started,
        )
    return Prepared(doc.title, chunks, doc.warnings, None, time.perf_counter() - started)


Progress = Callable[[int, int, int], None]  # files done, files total, chunks embedded


@dataclass(slots=True)
class _Staged:
    """Embedded chunks waiting for one Chroma write, and the file each belongs to."""

    ids: list[str] = field(default_factory=list)
    vectors: list[Any] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    metadatas: list[dict[str, Any]] = field(default_factory=list)
    files: list[tuple[PlanItem, Prepared]] = field(default_factory=list)  # one per chunk

    def __len__(self) -> int:
        return len(self.ids)

    def add(self, item: PlanItem, chunk: Chunk, vector: Any, metadata: dict[str, Any]) -> None:
        self.ids.append(f"{item.doc_id}:{chunk.index}")
        self.vectors.append(vector)
        self.documents.append(chunk.text)
        self.metadatas.append(metadata)

    def clear(self) -> None:
        for part in (self.ids, self.vectors, self.documents, self.metadatas, self.files):
            part.clear()


class Pipeline:
    """Ingest into one store and ledger with one embedder. Build once, run many times."""

    def __init__(
        self,
        *,
        store: ChromaStore,
        ledger: Ledger,
        embedder: Embedder,
        chunking: ChunkOptions,
        roots: list[Path] | None = None,
        max_file_bytes: int = 100 * 2**20,
        workers: int = 1,
        lock_path: Path | None = None,
        after_write: Callable[[], None] | None = None,
        store_batch: int = 256,
        encoder_calls: int | None = None,
    ) -> None:
        self.store = store
        self.store_batch = store_batch
        self.encoder_calls = encoder_calls  # None: as many as the embedder has streams
        self.ledger = ledger
        self.embedder = embedder
        self.chunking = chunking
        self.roots = roots or []
        self.max_file_bytes = max_file_bytes
        self.workers = workers
        self.lock_path = lock_path
        self.after_write = after_write

    @property
    def fingerprint(self) -> str:
        c = self.chunking
        return f"v{PIPELINE_VERSION}:{c.encoding}:{c.max_tokens}:{c.overlap}:{self.embedder.name}"

    def plan(self, paths: list[Path], *, prune: bool = False) -> Plan:
        """What a run over `paths` would do, file by file. Reads files, changes nothing."""
        found = discover(paths, roots=self.roots, max_file_bytes=self.max_file_bytes)
        items: list[PlanItem] = []
        for source in found.files:
            try:
                digest = sha256_of(source.path)
            except OSError as e:
                found.failed.append(FileProblem(source.path, f"cannot read file: {e}"))
                continue
            record = self.ledger.get(source.doc_id)
            if record is None:
                action: Action = "add"
            elif (
                record.status == "ok"
                and record.sha256 == digest
                and record.fingerprint == self.fingerprint
            ):
                action = "skip"
            else:
                action = "update"
            items.append(PlanItem(action, source.path, source.doc_id, source, digest, record))
        if prune:
            present = {source.doc_id for source in found.files}
            for record in self.ledger.all():
                if record.doc_id not in present and _gone_from(record.source, found.scanned):
                    items.append(PlanItem("delete", record.source, record.doc_id, record=record))
        return Plan(items, found)

    def delete(self, doc_id: str) -> int:
        """Remove one document's chunks and ledger row; returns the chunks deleted."""
        with self._locked():
            self.mark_dirty()
            deleted = self.store.delete_document(doc_id)
            self.ledger.delete(doc_id)
            self._sync_derived()
        return deleted

    @property
    def _dirty_marker(self) -> Path | None:
        if self.lock_path is None or self.after_write is None:
            return None
        return dirty_marker(self.lock_path)

    def mark_dirty(self) -> None:
        """Note, before touching Chroma, that derived indexes must be rebuilt."""
        if self._dirty_marker is not None:
            self._dirty_marker.touch()

    def _sync_derived(self) -> None:
        """Rebuild derived indexes (the lexical one) from Chroma, then clear the mark.

        A run killed between its writes and this call leaves the mark behind, so the next
        run rebuilds even when it has nothing else to do.
        """
        marker = self._dirty_marker
        if self.after_write is None or (marker is not None and not marker.exists()):
            return
        self.after_write()
        if marker is not None:
            marker.unlink(missing_ok=True)

    def run(
        self, paths: list[Path], *, prune: bool = False, progress: Progress | None = None
    ) -> Report:
        started = time.perf_counter()
        with self._locked():
            plan = self.plan(paths, prune=prune)
            report = Report(skipped=len(plan.of("skip")))
            report.add_time("plan", time.perf_counter() - started)
            report.errors.extend(plan.discovery.failed)
            report.failed = len(plan.discovery.failed)
            report.notes.extend(plan.discovery.unsupported)
            report.skipped += len(plan.discovery.unsupported)
            todo = plan.of("add") + plan.of("update")
            if todo or plan.of("delete"):
                self.mark_dirty()
            for item in plan.of("delete"):
                report.deleted += self.store.delete_document(item.doc_id)
                self.ledger.delete(item.doc_id)
                report.documents_deleted += 1
            if todo:
                self._ingest(todo, report, progress)
            began = time.perf_counter()
            self._sync_derived()
            report.add_time("derived", time.perf_counter() - began)
        report.seconds = time.perf_counter() - started
        return report

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """One writer at a time per data dir: a second run waits for the first."""
        if self.lock_path is None:
            yield
            return
        self.lock_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.lock_path, "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _ingest(self, todo: list[PlanItem], report: Report, progress: Progress | None) -> None:
        batch_size = self.embedder.batch_size
        model_dir = str(self.embedder.path)
        pending: list[tuple[PlanItem, Prepared, int]] = []  # (item, prepared, next chunk)
        waiting: dict[str, int] = {}  # doc_id → chunks not yet stored
        staged = _Staged()  # embedded, not yet written to Chroma
        encoding: deque[_Encoding] = deque()  # batches in the encoder, oldest first
        done = 0
        busy = _Busy()  # when the encoder had work
        # Load the model while the first files are parsed, so the encoder never waits for it.
        loader = threading.Thread(target=lambda: self.embedder.model, daemon=True)
        loader.start()
        with self._executor(len(todo)) as pool:
            futures: dict[Future[Prepared], PlanItem] = {
                pool.submit(prepare, item.path, self.chunking, model_dir): item for item in todo
            }
            began = time.perf_counter()
            loader.join()
            report.add_time("load", time.perf_counter() - began)
            streams = max(1, self.encoder_calls or self.embedder.streams)

            def can_submit() -> bool:
                """A stream is free and there is a full batch, or the last chunks of the run."""
                if not pending or len(encoding) >= streams:
                    return False
                queued = sum(len(p.chunks) - start for _, p, start in pending)
                return queued >= batch_size or not futures

            def collect() -> None:
                """Stage the batches the encoder has finished, oldest first."""
                while encoding and encoding[0].future.done():
                    batch = encoding.popleft()
                    self._stage(batch, staged, report)
                    busy.stop(batch, encoding, report)

            try:
                with self._encoder(streams) as encoder:
                    while futures or pending or encoding or staged:
                        ready = [f for f in futures if f.done()]
                        if not ready and not can_submit() and (futures or encoding):
                            # Nothing to do until a file is parsed or the oldest batch is done.
                            idle = not encoding
                            began = time.perf_counter()
                            either: list[Future[Any]] = [*futures]
                            either += [encoding[0].future] if encoding else []
                            wait(either, return_when=FIRST_COMPLETED)
                            if idle:  # the encoder had nothing to do
                                report.add_time("wait", time.perf_counter() - began)
                            ready = [f for f in futures if f.done()]
                        for future in ready:
                            item = futures.pop(future)
                            prepared = future.result()
                            report.add_time("parse_cpu", prepared.cpu_seconds)
                            if prepared.error:
                                self._fail(item, prepared, report)
                                done += 1
                            else:
                                pending.append((item, prepared, 0))
                                waiting[item.doc_id] = len(prepared.chunks)
                        collect()  # first, so a finished batch's stream gets the next one
                        while can_submit():
                            taken = _take(pending, batch_size)
                            texts = [c.embed_text for _, _, c in taken]
                            busy.start(encoding)
                            began = time.perf_counter()  # inline, submit encodes right away
                            encoded = encoder.submit(_timed, self.embedder.embed_documents, texts)
                            encoding.append(_Encoding(taken, encoded, began))
                        collect()  # inline batches are done already
                        if len(staged) >= self.store_batch or (
                            staged and not futures and not pending and not encoding
                        ):
                            for item, prepared in self._store(staged, waiting, report):
                                began = time.perf_counter()
                                self._commit(item, prepared, report)
                                report.add_time("commit", time.perf_counter() - began)
                                done += 1
                        if progress:
                            progress(done, len(todo), report.embedded)
            except BaseException:
                # Files not yet parsed would never be stored: stop, instead of parsing them all
                # before the error gets out. (Committed files are complete; the rest is redone.)
                pool.shutdown(wait=False, cancel_futures=True)
                raise

    @staticmethod
    def _encoder(streams: int) -> Executor:
        """Where encoder calls run. One stream: here, between the other steps, as a call uses
        every core (overlapping Chroma writes with it slowed it more than it hid them). More
        streams (OpenVINO's throughput hint): that many calls at once in threads, each stream
        on its own core, while this thread parses results in and writes Chroma."""
        if streams <= 1:
            return _InlineExecutor()
        return ThreadPoolExecutor(max_workers=streams, thread_name_prefix="encode")

    @contextmanager
    def _executor(self, files: int) -> Iterator[Executor]:
        if self.workers <= 0 or files == 1:
            yield _InlineExecutor()
            return
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(
            min(self.workers, files),
            mp_context=context,
            initializer=_defer_to_encoder,
            initargs=(os.getpid(),),
        ) as pool:
            yield pool

    def _stage(self, batch: _Encoding, staged: _Staged, report: Report) -> None:
        """Move one encoded batch into `staged`, in the order its chunks were taken."""
        vectors, batch.ended = batch.future.result()
        seconds = batch.ended - batch.began
        report.embedded += len(batch.taken)
        now = time.time()
        for (item, prepared, chunk), vector in zip(batch.taken, vectors, strict=True):
            prepared.seconds += seconds / len(batch.taken)  # parse time plus its encoding share
            staged.add(item, chunk, vector, _metadata(item, prepared, chunk, now))
            staged.files.append((item, prepared))

    def _store(
        self, staged: _Staged, waiting: dict[str, int], report: Report
    ) -> list[tuple[PlanItem, Prepared]]:
        """Write the staged chunks to Chroma in one call; return the files now complete.

        Chroma writes cost per call (a SQLite transaction, its full-text index): one call per
        `store_batch` chunks rather than per encoder batch took a cold ingest's writes from
        10.6 to 3.5 CPU-seconds on the shared corpus.
        """
        began = time.perf_counter()
        self.store.upsert(
            ids=staged.ids,
            embeddings=np.stack(staged.vectors),
            documents=staged.documents,
            metadatas=staged.metadatas,
        )
        report.add_time("store", time.perf_counter() - began)
        complete: list[tuple[PlanItem, Prepared]] = []
        for item, prepared in staged.files:
            waiting[item.doc_id] -= 1
            if waiting[item.doc_id] == 0:
                del waiting[item.doc_id]
                complete.append((item, prepared))
        staged.clear()
        return complete

    def _commit(self, item: PlanItem, prepared: Prepared, report: Report) -> None:
        """All of a file's chunks are stored: drop its stale ones, then record it as done."""
        assert item.file is not None
        ids = [f"{item.doc_id}:{c.index}" for c in prepared.chunks]
        stale = sorted(self.store.ids_for(item.doc_id) - set(ids))
        self.store.delete(stale)
        self.ledger.save(
            doc_id=item.doc_id,
            source=item.path,
            file_type=item.file.file_type,
            title=prepared.title,
            sha256=item.sha256,
            size=item.file.size,
            status="ok",
            fingerprint=self.fingerprint,
            chunk_ids=ids,
            warnings=prepared.warnings,
            parse_seconds=prepared.seconds,
        )
        report.ok += 1
        report.deleted += len(stale)
        if item.action == "add":
            report.added += len(ids)
        else:
            report.updated += len(ids)
        report.notes.extend(FileProblem(item.path, w) for w in prepared.warnings)

    def _fail(self, item: PlanItem, prepared: Prepared, report: Report) -> None:
        """Record the failure; chunks from an earlier good version stay searchable."""
        assert item.file is not None and prepared.error is not None
        previous = item.record
        self.ledger.save(
            doc_id=item.doc_id,
            source=item.path,
            file_type=item.file.file_type,
            title=prepared.title or (previous.title if previous else ""),
            sha256=item.sha256,
            size=item.file.size,
            status="failed",
            fingerprint=self.fingerprint,
            chunk_ids=previous.chunk_ids if previous else [],
            error=prepared.error,
            warnings=prepared.warnings,
            parse_seconds=prepared.seconds,
        )
        report.failed += 1
        report.errors.append(FileProblem(item.path, prepared.error))


Taken = list[tuple[PlanItem, Prepared, Chunk]]


def _take(pending: list[tuple[PlanItem, Prepared, int]], batch_size: int) -> Taken:
    """Up to `batch_size` queued chunks, first file first."""
    taken: Taken = []
    while pending and len(taken) < batch_size:
        item, prepared, start = pending[0]
        room = batch_size - len(taken)
        taken.extend((item, prepared, c) for c in prepared.chunks[start : start + room])
        if start + room >= len(prepared.chunks):
            pending.pop(0)
        else:
            pending[0] = (item, prepared, start + room)
    return taken


def _timed(encode: Callable[[list[str]], Any], texts: list[str]) -> tuple[Any, float]:
    """The vectors, and when the encoder finished them."""
    vectors = encode(texts)
    return vectors, time.perf_counter()


class _Encoding:
    """One batch in the encoder: its chunks, the future of (vectors, end time), when it began;
    `ended` is known once it is staged."""

    def __init__(self, taken: Taken, future: Future[tuple[Any, float]], began: float) -> None:
        self.taken = taken
        self.future = future
        self.began = self.ended = began


class _Busy:
    """The `embed` stage: wall time with at least one batch in the encoder."""

    def __init__(self) -> None:
        self.since = 0.0
        self.last = 0.0

    def start(self, encoding: deque[_Encoding]) -> None:
        if not encoding:
            self.since = self.last = time.perf_counter()

    def stop(self, batch: _Encoding, encoding: deque[_Encoding], report: Report) -> None:
        self.last = max(self.last, batch.ended)
        if not encoding:
            report.add_time("embed", self.last - self.since)


def dirty_marker(lock_path: Path) -> Path:
    """The file that exists while Chroma may hold what the derived indexes do not yet."""
    return lock_path.with_suffix(".dirty")


def _defer_to_encoder(parent: int) -> None:
    """Parse workers run at the lowest CPU priority: they fill the cycles the encoder leaves
    idle instead of taking cores from it. A one-stream encoder's threads synchronise at every
    layer, so one descheduled thread stalls them all (independent streams suffer less);
    parsing is a few percent of the work, and when the encoder runs out of chunks it waits
    and the workers get the whole machine."""
    try:
        os.nice(19)
    except OSError:
        pass
    _exit_with_parent(parent)


def _exit_with_parent(parent: int) -> None:
    """A worker whose ingest was killed (SIGKILL leaves no time to stop the pool) would wait
    on its task queue forever, holding its memory; it exits once `parent` is gone (even if
    that happened before this worker got here)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _metadata(item: PlanItem, prepared: Prepared, chunk: Chunk, now: float) -> dict[str, Any]:
    assert item.file is not None
    metadata: dict[str, Any] = {
        "source": item.path,
        "doc_id": item.doc_id,
        "file_type": item.file.file_type,
        "sha256": item.sha256,
        "title": prepared.title,
        "section": chunk.section,
        "header": chunk.header,
        "chunk_index": chunk.index,
        "tokens": chunk.tokens,
        "ingested_at": now,
    }
    if chunk.page is not None:
        metadata["page"] = chunk.page
    return metadata


def _gone_from(source: str, scanned: list[Path]) -> bool:
    """Was `source` inside what this run scanned, and is it no longer there?"""
    path = Path(source)
    inside = any(path == top or path.is_relative_to(top) for top in scanned if top.is_dir())
    return inside and not path.is_file()


class _InlineExecutor(Executor):
    """Runs tasks in this process: for one file, or `--workers 0`."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as e:
            future.set_exception(e)
        return future


def terminal_progress() -> Progress | None:
    """A tqdm bar on a terminal; None elsewhere (the CLI logs plain lines instead)."""
    if not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    bar = tqdm(total=0, unit="file", file=sys.stderr, dynamic_ncols=True)
    started = time.perf_counter()

    def update(done: int, total: int, chunks: int) -> None:
        bar.total = total
        bar.n = done
        rate = chunks / max(time.perf_counter() - started, 1e-9)
        bar.set_postfix_str(f"{chunks} chunks, {rate:.1f} chunks/s", refresh=True)

    return update
